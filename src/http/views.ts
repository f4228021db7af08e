import { z } from 'zod';
import { reviewDueAt } from '../domain/review-deadline.ts';
import type { Application, Listing, ReviewClaim, ReviewerNote } from '../domain/types.ts';
import { reviewClaimHolder } from '../processors/decider/review-claim.ts';
import {
  ADMIN_ACTIONS, APPLICATION_KINDS, APPLICATION_STATUSES, COMMAND_TYPES, CONTENT_TYPES, EVENT_TYPES, REJECTION_CODES,
} from '../domain/values.ts';
import type { AdminActionEntry } from '../store/read/admin-actions.ts';
import type { StoredEvent } from '../store/read/application-events.ts';
import { address, applicationDetails, businessHours, contact, contentSpecific, listingBusinessRegistration } from './command-bodies.ts';
import { uuidString } from './params.ts';

/**
 * JSON shapes of the read API: camelCase fields, ISO 8601 timestamps. One zod schema per shape,
 * from which /openapi.json is generated (src/http/openapi.ts) and the console's types
 * (console/src/api-types.ts); each view function is typed by its schema, so a field it adds
 * without a schema fails the type-check. Objects are closed: the document says
 * additionalProperties: false, and test/openapi.test.ts validates real answers against it.
 */

const text = z.string();
const id = uuidString;
const at = z.iso.datetime();
const count = z.int().min(0);
const version = z.int().min(1);

export const decisionSchema = z.strictObject({
  decidedAt: at.nullable(), decidedBy: text.nullable().describe('Admin id taken from the verified token.'),
  rejectionReason: text.nullable(), decisionNote: text.nullable(),
}).meta({ id: 'Decision' });

export const applicationSchema = z.strictObject({
  id, name: text.nullable().describe('The business name: the one a NEW_LISTING proposes, or that of the listing an INFO_CHANGE changes.'), applicantId: text, kind: z.enum(APPLICATION_KINDS), contentType: z.enum(CONTENT_TYPES), status: z.enum(APPLICATION_STATUSES),
  listingId: id.nullable().describe('The listing an INFO_CHANGE concerns, or the one an approved NEW_LISTING created.'),
  version: version.describe('Grows by one per accepted change.'),
  details: applicationDetails, decision: decisionSchema, createdAt: at, updatedAt: at,
  reviewDueAt: at.nullable().describe('While PENDING: when reviewers must have decided (REVIEW_DEADLINE_HOURS after submission); past it, the application is overdue. Null once decided.'),
  reviewClaim: z.strictObject({
    adminId: text.describe('The MASTER reviewing it.'), since: at, expiresAt: at.describe('REVIEW_CLAIM_MINUTES after the claim; a decision or release ends it earlier.'),
  }).meta({ id: 'ReviewClaim' }).nullable().describe('Who holds the application for review right now; null when no one does. Always null for an OWNER.'),
}).meta({ id: 'Application' });

const snapshot = z.strictObject({
  applicantId: text, kind: z.enum(APPLICATION_KINDS), listingId: text.nullable(), contentType: z.enum(CONTENT_TYPES), details: applicationDetails,
}).meta({ id: 'ApplicationSnapshot' });

const eventPayload = <T extends (typeof EVENT_TYPES)[number], S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z.strictObject({ type: z.literal(type), ...shape }).describe(description);

export const eventPayloadSchema = z.discriminatedUnion('type', [
  eventPayload('ApplicationSubmitted', { application: snapshot }, 'The application was received.'),
  eventPayload('ApplicationAmended', { applicantId: text, details: applicationDetails }, 'The applicant replaced the details.'),
  eventPayload('ApplicationWithdrawn', { applicantId: text }, 'The applicant withdrew it.'),
  eventPayload('ApplicationApproved', { adminId: text, note: text.nullable(), listingId: text, application: snapshot }, 'A MASTER admin approved it.'),
  eventPayload('ApplicationRejected', { adminId: text, reason: text }, 'A MASTER admin rejected it.'),
  eventPayload('ReviewClaimed', { adminId: text, since: z.number(), expiresAt: z.number(), takenOverFrom: text.nullable() },
    'A MASTER admin claimed it for review (since and expiresAt in epoch milliseconds); takenOverFrom names the admin whose claim this ended. MASTER only.'),
  eventPayload('ReviewReleased', { adminId: text }, 'The holder released its review claim. MASTER only.'),
  eventPayload('ReviewerNoteAdded', { adminId: text }, 'A MASTER admin wrote a reviewer note (its text is at /applications/{id}/notes). MASTER only.'),
  eventPayload('CommandRejected', { commandType: z.enum(COMMAND_TYPES), code: z.enum(REJECTION_CODES), message: text }, 'A command was refused; nothing changed.'),
]).meta({ id: 'EventPayload', description: 'The outcome event as the processor recorded it; `type` says which.' });

export const eventSchema = z.strictObject({
  eventId: id.describe('Stable id; consumers of the events topic dedupe by it.'), commandId: id, type: z.enum(EVENT_TYPES),
  version: z.int().describe('Application version after this event; unchanged by CommandRejected.'),
  occurredAt: at, payload: eventPayloadSchema,
}).meta({ id: 'ApplicationEvent' });

export const applicationWithHistorySchema = applicationSchema.extend({
  history: z.array(eventSchema).describe('Every outcome event of the application, in the order written.'),
}).meta({ id: 'ApplicationWithHistory', description: 'An application with its history.' });

export const adminActionSchema = z.strictObject({
  id: z.string().regex(/^[1-9][0-9]*$/).describe('Position in the audit log (a bigint as decimal text).'),
  adminId: text.nullable().describe('null when a refused token named no admin.'), applicationId: id,
  applicationName: text.nullable().describe('The business name of the application decided (see Application.name).'), action: z.enum(ADMIN_ACTIONS),
  reason: text.nullable().describe('Rejection reason, or why a decision was DENIED.'), commandId: id, at,
}).meta({ id: 'AdminAction', description: 'One row of the audit log: every decision, including refused ones (DENIED).' });

export const reviewerNoteSchema = z.strictObject({
  noteId: id, adminId: text.describe('The MASTER who wrote it, from the verified token.'), text, commandId: id, at,
}).meta({ id: 'ReviewerNote', description: 'A note reviewers keep for each other; never shown to the owner.' });
export const reviewerNoteListSchema = z.strictObject({ items: z.array(reviewerNoteSchema) }).meta({ id: 'ReviewerNoteList' });

export const listingSchema = z.strictObject({
  id, ownerId: text, contentType: z.enum(CONTENT_TYPES), name: text, description: text, contact, address, businessHours,
  specific: contentSpecific, businessRegistration: listingBusinessRegistration, sourceApplicationId: id.describe('The approved application that created or last changed it.'), version,
  createdAt: at, updatedAt: at,
}).meta({ id: 'Listing' });

const nextCursor = text.nullable().describe('Opaque; pass it as `cursor` for the next page. null on the last page.').meta({ id: 'NextCursor' });
const pageOf = <S extends z.ZodType>(item: S, name: string) => z.strictObject({ items: z.array(item), nextCursor }).meta({ id: name });

export const applicationPageSchema = pageOf(applicationSchema, 'ApplicationPage').extend({
  total: count.describe('How many applications the whole query matches, over all its pages.'),
}).meta({ id: 'ApplicationPage' });
export const adminActionPageSchema = pageOf(adminActionSchema, 'AdminActionPage');
export const listingPageSchema = pageOf(listingSchema, 'ListingPage');
export const adminActionListSchema = z.strictObject({ items: z.array(adminActionSchema) }).meta({ id: 'AdminActionList' });

/** One count per symbol, each a named property: a record keyed by an enum has `required` names without properties, which strict validators refuse. */
const countsBy = <T extends readonly string[]>(keys: T) =>
  z.strictObject(Object.fromEntries(keys.map((key) => [key, count])) as Record<T[number], typeof count>);
export const statsSchema = z.strictObject({
  byStatus: countsBy(APPLICATION_STATUSES), byContentType: countsBy(CONTENT_TYPES), byKind: countsBy(APPLICATION_KINDS),
  oldestPendingAgeSeconds: z.number().min(0).nullable().describe('Whole seconds; null when nothing is pending.'),
  overdue: z.int().min(0).describe('PENDING applications submitted longer than REVIEW_DEADLINE_HOURS ago.'),
}).meta({ id: 'Stats' });

export type ApplicationView = z.output<typeof applicationSchema>;
export type EventView = z.output<typeof eventSchema>;
export type AdminActionView = z.output<typeof adminActionSchema>;
export type ListingView = z.output<typeof listingSchema>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** How the read side shows an application: `reviewDeadlineHours` for its due time; a live review claim only to a MASTER, judged `now`. */
export interface ApplicationViewing { reviewDeadlineHours: number; reviewer: boolean; now: number }

/** `name`: see applicationNames. */
export const applicationView = (a: Application, name: string | null, viewing: ApplicationViewing): ApplicationView => ({
  id: a.id,
  name,
  applicantId: a.applicantId,
  kind: a.kind,
  contentType: a.contentType,
  status: a.status,
  listingId: a.listingId,
  version: a.version,
  details: a.details,
  decision: { decidedAt: isoOrNull(a.decidedAt), decidedBy: a.decidedBy, rejectionReason: a.rejectionReason, decisionNote: a.decisionNote },
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
  reviewDueAt: isoOrNull(reviewDueAt(a, viewing.reviewDeadlineHours)),
  reviewClaim: reviewClaimView(viewing.reviewer ? reviewClaimHolder(a, viewing.now) : null),
});

const reviewClaimView = (claim: ReviewClaim | null) =>
  (claim === null ? null : { adminId: claim.adminId, since: iso(claim.since), expiresAt: iso(claim.expiresAt) });

export const reviewerNoteView = (n: ReviewerNote): z.output<typeof reviewerNoteSchema> => ({
  noteId: n.noteId, adminId: n.adminId, text: n.text, commandId: n.commandId, at: iso(n.at),
});

export const eventView = (e: StoredEvent): EventView => ({
  eventId: e.eventId, commandId: e.commandId, type: e.type, version: e.version, occurredAt: iso(e.occurredAt), payload: e.payload,
});

export const adminActionView = (a: AdminActionEntry, applicationName: string | null): AdminActionView => ({
  id: a.id, adminId: a.adminId, applicationId: a.applicationId, applicationName, action: a.action, reason: a.reason, commandId: a.commandId, at: iso(a.at),
});

export const listingView = (l: Listing): ListingView => ({
  id: l.id,
  ownerId: l.ownerId,
  contentType: l.contentType,
  name: l.name,
  description: l.description,
  contact: l.contact,
  address: l.address,
  businessHours: l.businessHours,
  specific: l.specific,
  businessRegistration: l.businessRegistration,
  sourceApplicationId: l.sourceApplicationId,
  version: l.version,
  createdAt: iso(l.createdAt),
  updatedAt: iso(l.updatedAt),
});
