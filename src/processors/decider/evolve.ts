import type { Application, DomainEvent } from '../../domain/types.ts';

export interface EvolveMeta {
  applicationId: string;
  /** When the event happened (the shell's clock): evolve never reads a clock itself. */
  at: number;
}

/**
 * Applies one event to an application. Events are facts the decider already accepted, so
 * evolve does not re-check rules; it only refuses events that cannot follow the state at all,
 * which would mean a bug in the shell or a corrupted history, never bad user input.
 */
export function evolve(state: Application | null, event: DomainEvent, meta: EvolveMeta): Application | null {
  // A refused command changes nothing, not even the version.
  if (event.type === 'CommandRejected') return state;
  if (event.type === 'ApplicationSubmitted') {
    if (state !== null) throw new Error(`evolve: ApplicationSubmitted for existing application ${state.id}`);
    return {
      id: meta.applicationId,
      ...event.application,
      status: 'PENDING',
      version: 1,
      createdAt: meta.at,
      updatedAt: meta.at,
      decidedAt: null,
      decidedBy: null,
      rejectionReason: null,
      decisionNote: null,
      reviewClaim: null,
    };
  }
  if (state === null) throw new Error(`evolve: ${event.type} for application ${meta.applicationId}, which does not exist`);
  // The reviewers' own work changes what they see, not the application: no new version.
  if (event.type === 'ReviewClaimed') return { ...state, reviewClaim: { adminId: event.adminId, since: event.since, expiresAt: event.expiresAt } };
  if (event.type === 'ReviewReleased') return { ...state, reviewClaim: null };
  if (event.type === 'ReviewerNoteAdded') return state;
  // Every accepted change after submission bumps the version by exactly one.
  const next = { ...state, version: state.version + 1, updatedAt: meta.at };
  switch (event.type) {
    case 'ApplicationAmended':
      return { ...next, details: event.details };
    case 'ApplicationWithdrawn':
      return { ...next, status: 'WITHDRAWN', reviewClaim: null };
    case 'ApplicationApproved':
      return {
        ...next,
        status: 'APPROVED',
        reviewClaim: null,
        decidedAt: meta.at,
        decidedBy: event.adminId,
        decisionNote: event.note,
        // An INFO_CHANGE already names its listing; a NEW_LISTING learns it on approval.
        listingId: state.kind === 'NEW_LISTING' ? event.listingId : state.listingId,
      };
    case 'ApplicationRejected':
      return { ...next, status: 'REJECTED', reviewClaim: null, decidedAt: meta.at, decidedBy: event.adminId, rejectionReason: event.reason };
  }
}
