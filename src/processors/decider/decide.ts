import { normalizedRegistration } from './business-registration.ts';
import { listingIdFor } from './listing-id.ts';
import { changeFitsListing } from './registration-data.ts';
import { claimedByOther, describeClaim, reviewClaimHolder } from './review-claim.ts';
import { checkRejectionReason, checkReviewerNote, validateDetails, validateNote, validateSubmission } from './validate.ts';
import type {
  AdminAuth, Application, ApplicationDetails, ApplicationSnapshot, Command, CommandType, DecisionContext, DomainEvent,
  Listing, RejectionCode,
} from '../../domain/types.ts';

type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/**
 * Decides what one command does to one application. Pure: the shell loads the state and the
 * context, the decider returns exactly one event, the accepted change or a CommandRejected with
 * a code a client can act on. Checks run in a fixed order so the same input always yields the
 * same code (authorisation before existence for admins, so a non-admin learns nothing about
 * which applications exist).
 */
export function decide(state: Application | null, command: Command, context: DecisionContext): DomainEvent[] {
  switch (command.type) {
    case 'SubmitApplication': return [submit(state, command, context)];
    case 'AmendApplication': return [amend(state, command, context)];
    case 'WithdrawApplication': return [withdraw(state, command)];
    case 'ApproveApplication': return [approve(state, command, context)];
    case 'RejectApplication': return [reject(state, command)];
    case 'ClaimReview': return [claimReview(state, command, context)];
    case 'ReleaseReview': return [releaseReview(state, command)];
    case 'AddReviewerNote': return [addReviewerNote(state, command)];
  }
}

function rejected(command: Command, code: RejectionCode, message: string): DomainEvent {
  return { type: 'CommandRejected', commandType: command.type, code, message };
}

function snapshotOf(application: Application): ApplicationSnapshot {
  const { applicantId, kind, listingId, contentType, details } = application;
  return { applicantId, kind, listingId, contentType, details };
}

/** Details as they are kept once accepted: the registration number as its digits. */
function normalized(details: ApplicationDetails): ApplicationDetails {
  return details.type === 'LISTING' && details.businessRegistration !== null
    ? { ...details, businessRegistration: normalizedRegistration(details.businessRegistration) }
    : details;
}

/** What an INFO_CHANGE must satisfy against the listing it changes, when the listing is known. */
function fitProblems(details: ApplicationDetails, listing: Listing | null): string[] {
  return details.type === 'INFO_CHANGE' && listing !== null ? changeFitsListing(details, listing) : [];
}

/** The context's listing, but only if it is the one asked for: never act on a different one. */
function listingNamed(context: DecisionContext, listingId: string | null): Listing | null {
  return listingId !== null && context.listing?.id === listingId ? context.listing : null;
}

function submit(state: Application | null, command: CommandOf<'SubmitApplication'>, context: DecisionContext): DomainEvent {
  if (state !== null) {
    return rejected(command, 'ALREADY_EXISTS', `application ${command.applicationId} already exists (status ${state.status})`);
  }
  const problems = validateSubmission(command);
  if (problems.length > 0) return rejected(command, 'VALIDATION_FAILED', problems.join('; '));
  const { applicantId, kind, listingId, contentType, details } = command;
  if (kind === 'INFO_CHANGE') {
    const listing = listingNamed(context, listingId);
    if (listing === null) return rejected(command, 'LISTING_NOT_FOUND', `listing ${listingId} does not exist`);
    if (listing.ownerId !== applicantId) {
      return rejected(command, 'FORBIDDEN', `listing ${listing.id} is not owned by applicant ${applicantId}`);
    }
    if (listing.contentType !== contentType) {
      return rejected(command, 'VALIDATION_FAILED', `contentType: must be ${listing.contentType}, the content type of listing ${listing.id}`);
    }
    if (context.pendingChangeId !== null && context.pendingChangeId !== command.applicationId) {
      return rejected(command, 'DUPLICATE_PENDING',
        `listing ${listing.id} already has a pending change (application ${context.pendingChangeId}); amend or withdraw that one`);
    }
    const misfits = fitProblems(details, listing);
    if (misfits.length > 0) return rejected(command, 'VALIDATION_FAILED', misfits.join('; '));
  }
  return { type: 'ApplicationSubmitted', application: { applicantId, kind, listingId, contentType, details: normalized(details) } };
}

type Gate = { refused: DomainEvent } | { application: Application };

/**
 * The checks amend and withdraw share: it exists, it is the caller's own, it is still open.
 * Ownership comes before status so another applicant cannot probe an application's status.
 */
function applicantGate(state: Application | null, command: CommandOf<'AmendApplication' | 'WithdrawApplication'>): Gate {
  if (state === null) return { refused: rejected(command, 'NOT_FOUND', `application ${command.applicationId} does not exist`) };
  if (state.applicantId !== command.applicantId) {
    return { refused: rejected(command, 'FORBIDDEN', `application ${state.id} belongs to another applicant`) };
  }
  if (state.status !== 'PENDING') return { refused: notPending(command, state) };
  return { application: state };
}

function notPending(command: Command, state: Application): DomainEvent {
  return rejected(command, 'NOT_PENDING', `application ${state.id} is ${state.status}, only a PENDING application can change`);
}

function amend(state: Application | null, command: CommandOf<'AmendApplication'>, context: DecisionContext): DomainEvent {
  const gate = applicantGate(state, command);
  if ('refused' in gate) return gate.refused;
  const { kind, contentType, listingId } = gate.application;
  const problems = validateDetails(command.details, { kind, contentType });
  if (problems.length === 0) problems.push(...fitProblems(command.details, listingNamed(context, listingId)));
  if (problems.length > 0) return rejected(command, 'VALIDATION_FAILED', problems.join('; '));
  return { type: 'ApplicationAmended', applicantId: command.applicantId, details: normalized(command.details) };
}

function withdraw(state: Application | null, command: CommandOf<'WithdrawApplication'>): DomainEvent {
  const gate = applicantGate(state, command);
  return 'refused' in gate ? gate.refused : { type: 'ApplicationWithdrawn', applicantId: command.applicantId };
}

type AdminCommand = CommandOf<'ApproveApplication' | 'RejectApplication' | 'ClaimReview' | 'ReleaseReview' | 'AddReviewerNote'>;
type AdminGate = { refused: DomainEvent } | { application: Application; adminId: string };

/**
 * The checks every admin command shares; the admin verdict comes first (see decide). A note may
 * be written on a decided application too; everything else needs it PENDING.
 */
function adminGate(state: Application | null, command: AdminCommand, needsPending = true): AdminGate {
  const admin: AdminAuth = command.admin;
  if (!admin.ok) return { refused: rejected(command, 'FORBIDDEN', `admin token refused: ${admin.reason}`) };
  if (state === null) return { refused: rejected(command, 'NOT_FOUND', `application ${command.applicationId} does not exist`) };
  // The first of two racing decisions wins; the second lands here.
  if (needsPending && state.status !== 'PENDING') return { refused: notPending(command, state) };
  return { adminId: admin.adminId, application: state };
}

/** A decision also needs the application not to be held by another admin: they take it over first. */
function deciderGate(state: Application | null, command: CommandOf<'ApproveApplication' | 'RejectApplication'>): AdminGate {
  const gate = adminGate(state, command);
  if ('refused' in gate) return gate;
  const other = claimedByOther(gate.application, gate.adminId, command.issuedAt);
  if (other === null) return gate;
  return { refused: rejected(command, 'CLAIMED_BY_OTHER', `application ${gate.application.id} is ${describeClaim(other)}; take the review over before deciding`) };
}

function approve(state: Application | null, command: CommandOf<'ApproveApplication'>, context: DecisionContext): DomainEvent {
  const gate = deciderGate(state, command);
  if ('refused' in gate) return gate.refused;
  const { adminId, application } = gate;
  const problems = validateNote(command.note);
  if (problems.length > 0) return rejected(command, 'VALIDATION_FAILED', problems.join('; '));
  let listingId: string;
  if (application.kind === 'INFO_CHANGE') {
    // The listing could have gone away while the change waited for review.
    const listing = listingNamed(context, application.listingId);
    if (listing === null) return rejected(command, 'LISTING_NOT_FOUND', `listing ${application.listingId} does not exist`);
    listingId = listing.id;
  } else {
    listingId = listingIdFor(application.id);
  }
  // The snapshot is the application as approved, so it already names its listing.
  return {
    type: 'ApplicationApproved',
    adminId,
    note: command.note,
    listingId,
    application: { ...snapshotOf(application), listingId },
  };
}

function reject(state: Application | null, command: CommandOf<'RejectApplication'>): DomainEvent {
  const gate = deciderGate(state, command);
  if ('refused' in gate) return gate.refused;
  const reason = checkRejectionReason(command.reason);
  if (!reason.ok) return rejected(command, 'REASON_REQUIRED', reason.problem);
  return { type: 'ApplicationRejected', adminId: gate.adminId, reason: reason.reason };
}

/**
 * Two admins claiming at once: the first in the partition's order wins, the second hears who
 * holds it. A holder claiming again renews; a take-over ends the other's claim, and says whose.
 */
function claimReview(state: Application | null, command: CommandOf<'ClaimReview'>, context: DecisionContext): DomainEvent {
  const gate = adminGate(state, command);
  if ('refused' in gate) return gate.refused;
  const other = claimedByOther(gate.application, gate.adminId, command.issuedAt);
  if (other !== null && !command.takeOver) {
    return rejected(command, 'ALREADY_CLAIMED', `application ${gate.application.id} is ${describeClaim(other)}`);
  }
  return {
    type: 'ReviewClaimed', adminId: gate.adminId, since: command.issuedAt, expiresAt: command.issuedAt + context.reviewClaimMs,
    takenOverFrom: other?.adminId ?? null,
  };
}

function releaseReview(state: Application | null, command: CommandOf<'ReleaseReview'>): DomainEvent {
  const gate = adminGate(state, command);
  if ('refused' in gate) return gate.refused;
  const held = reviewClaimHolder(gate.application, command.issuedAt);
  if (held === null) return rejected(command, 'NOT_CLAIMED', `application ${gate.application.id} is not claimed for review`);
  if (held.adminId !== gate.adminId) return rejected(command, 'CLAIMED_BY_OTHER', `application ${gate.application.id} is ${describeClaim(held)}; only the holder releases it`);
  return { type: 'ReviewReleased', adminId: gate.adminId };
}

function addReviewerNote(state: Application | null, command: CommandOf<'AddReviewerNote'>): DomainEvent {
  const gate = adminGate(state, command, false);
  if ('refused' in gate) return gate.refused;
  const text = checkReviewerNote(command.text);
  if (!text.ok) return rejected(command, 'VALIDATION_FAILED', text.problem);
  return { type: 'ReviewerNoteAdded', adminId: gate.adminId };
}
