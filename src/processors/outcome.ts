import type { Topics } from '../config.ts';
import { detailsToWire, listingToWire, specificToWire } from '../schemas/details.ts';
import type * as Avro from '../schemas/avro-types.ts';
import { uuidV5 } from './decider/index.ts';
import type { AdminAction, Application, ApplicationSnapshot, Command, DomainEvent, Listing, RecordedEvent, ReviewerNote } from '../domain/types.ts';
import type { NotificationTemplate } from '../domain/values.ts';

/** Namespace of every id derived from a commandId, so a redelivered command yields the same ids. */
const EVENT_ID_NAMESPACE = 'c0b5a3a4-4f1e-4c51-9a51-2f8f6d0a8e11';

export const derivedId = (commandId: string, purpose: string) => uuidV5(`${commandId}/${purpose}`, EVENT_ID_NAMESPACE);

export interface OutgoingMessage { eventId: string; topic: string; key: string; value: object }

export interface Outcome {
  events: RecordedEvent[];
  adminActions: AdminAction[];
  messages: OutgoingMessage[];
  reviewerNotes: ReviewerNote[];
}

export interface DecidedCommand {
  command: Command;
  /** The application after the command (or before it, when the command was refused). */
  application: Application | null;
  events: DomainEvent[];
  listing: Listing | null;
  at: number;
  /** Seed of the derived ids; the commandId unless one command yields outcomes twice (a reused key). */
  idScope?: string;
}

const NS = 'platform.backoffice.';

function snapshotToWire(snapshot: ApplicationSnapshot): Avro.ApplicationSnapshot {
  return { ...snapshot, details: detailsToWire(snapshot.details) };
}

function eventPayload(event: DomainEvent): Avro.ApplicationEvent['payload'] {
  const { type, ...body } = event;
  switch (event.type) {
    case 'ApplicationSubmitted': return { [`${NS}${type}`]: { application: snapshotToWire(event.application) } } as Avro.ApplicationEvent['payload'];
    case 'ApplicationAmended': return { [`${NS}${type}`]: { applicantId: event.applicantId, details: detailsToWire(event.details) } } as Avro.ApplicationEvent['payload'];
    case 'ApplicationApproved': return { [`${NS}${type}`]: { adminId: event.adminId, note: event.note, listingId: event.listingId, application: snapshotToWire(event.application) } } as Avro.ApplicationEvent['payload'];
    default: return { [`${NS}${type}`]: body } as Avro.ApplicationEvent['payload'];
  }
}

function listingMessage(decided: DecidedCommand, listing: Listing, topics: Topics, eventId: string): OutgoingMessage {
  const published = listing.version === 1;
  const value: Avro.ListingEvent = {
    eventId, listingId: listing.id, ownerId: listing.ownerId, contentType: listing.contentType, applicationId: decided.command.applicationId,
    version: listing.version, occurredAt: decided.at,
    payload: (published
      ? { [`${NS}ListingPublished`]: { listing: listingToWire(listing) } }
      : { [`${NS}ListingInfoChanged`]: { contact: listing.contact, address: listing.address, businessHours: listing.businessHours, specific: specificToWire(listing.specific) } }) as Avro.ListingEvent['payload'],
  };
  return { eventId, topic: topics.listings[listing.contentType], key: listing.id, value };
}

type Sent = Exclude<NotificationTemplate, 'UNKNOWN'>;

/** A notification to the applicant, or (APPLICATION_AWAITING_REVIEW) to the reviewers. */
function notification(decided: DecidedCommand, template: Sent, reason: string | null, topics: Topics): OutgoingMessage {
  const application = decided.application!;
  const recipientId = template === 'APPLICATION_AWAITING_REVIEW' ? topics.reviewersRecipientId : application.applicantId;
  const eventId = derivedId(decided.idScope ?? decided.command.commandId, `notification/${template}`);
  const value: Avro.NotificationRequested = {
    notificationId: eventId, recipientId, template, applicationId: application.id,
    contentType: application.contentType, reason, occurredAt: decided.at,
  };
  return { eventId, topic: topics.notifications, key: recipientId, value };
}

/** Everything one decided command leaves behind: history entries, audit entries and outgoing messages. */
export function outcomeOf(decided: DecidedCommand, topics: Topics): Outcome {
  const { command, at } = decided;
  const scope = decided.idScope ?? command.commandId;
  const outcome: Outcome = { events: [], adminActions: [], messages: [], reviewerNotes: [] };
  decided.events.forEach((event, index) => {
    const eventId = derivedId(scope, `event/${index}`);
    const version = decided.application?.version ?? 0;
    outcome.events.push({ eventId, applicationId: command.applicationId, commandId: command.commandId, version, event, occurredAt: at });
    const value: Avro.ApplicationEvent = { eventId, commandId: command.commandId, applicationId: command.applicationId, version, occurredAt: at, payload: eventPayload(event) };
    outcome.messages.push({ eventId, topic: topics.events, key: command.applicationId, value });

    if (event.type === 'ApplicationSubmitted') outcome.messages.push(notification(decided, 'APPLICATION_RECEIVED', null, topics));
    // New work for the reviewers: an application in the queue, or one that changed while waiting there.
    if (event.type === 'ApplicationSubmitted' || event.type === 'ApplicationAmended') {
      outcome.messages.push(notification(decided, 'APPLICATION_AWAITING_REVIEW', null, topics));
    }
    if (event.type === 'ApplicationApproved') {
      outcome.adminActions.push({ adminId: event.adminId, applicationId: command.applicationId, action: 'APPROVE', reason: event.note, commandId: command.commandId, at });
      outcome.messages.push(listingMessage(decided, decided.listing!, topics, derivedId(scope, 'listing')));
      outcome.messages.push(notification(decided, 'APPLICATION_APPROVED', null, topics));
    }
    if (event.type === 'ApplicationRejected') {
      outcome.adminActions.push({ adminId: event.adminId, applicationId: command.applicationId, action: 'REJECT', reason: event.reason, commandId: command.commandId, at });
      outcome.messages.push(notification(decided, 'APPLICATION_REJECTED', event.reason, topics));
    }
    if (event.type === 'ReviewClaimed') {
      const takeOver = event.takenOverFrom !== null;
      outcome.adminActions.push({
        adminId: event.adminId, applicationId: command.applicationId, action: takeOver ? 'TAKE_OVER' : 'CLAIM',
        reason: takeOver ? `taken over from ${event.takenOverFrom}` : null, commandId: command.commandId, at,
      });
    }
    if (event.type === 'ReviewReleased') {
      outcome.adminActions.push({ adminId: event.adminId, applicationId: command.applicationId, action: 'RELEASE', reason: null, commandId: command.commandId, at });
    }
    // The text comes from the command, never from the event, which travels to the events topic.
    if (event.type === 'ReviewerNoteAdded' && command.type === 'AddReviewerNote') {
      outcome.reviewerNotes.push({
        noteId: derivedId(scope, 'reviewer-note'), applicationId: command.applicationId, adminId: event.adminId, text: command.text.trim(),
        commandId: command.commandId, at,
      });
    }
    if (event.type === 'CommandRejected' && event.code === 'FORBIDDEN' && 'admin' in command) {
      outcome.adminActions.push({ adminId: command.admin.adminId, applicationId: command.applicationId, action: 'DENIED', reason: event.message, commandId: command.commandId, at });
    }
  });
  return outcome;
}
