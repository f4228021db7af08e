import { decider } from './decider/index.ts';
import type { Application, Command, DomainEvent, Listing } from '../domain/types.ts';
import type { DecidedCommand } from './outcome.ts';

/** What a batch loads before its commands are folded: state, pending changes and known commandIds. */
export interface BatchState {
  applications: Map<string, Application>;
  listings: Map<string, Listing>;
  /** listingId -> the PENDING INFO_CHANGE application for it. */
  pendingChanges: Map<string, string>;
  /** commandId -> payload hash of the commands already processed. */
  known: Map<string, string>;
}

/** One command folded: a redelivery (nothing to do), a reused commandId, or a decision. */
export type FoldStep =
  | { outcome: 'duplicate'; command: Command }
  | { outcome: 'reused' | 'decided'; command: Command; decided: DecidedCommand };

/**
 * The pure core of a batch: commands folded in offset order over the state the shell loaded,
 * with dedupe by commandId and payload hash, IDEMPOTENCY_KEY_REUSED, and the pending change of
 * each listing kept current. No I/O: the shell loads the state before and writes what changed
 * after (batch.ts); test/batch-fold.property.test.ts folds random sequences through it.
 */
export class BatchView {
  readonly applications: Map<string, Application>;
  readonly listings: Map<string, Listing>;
  readonly pendingChanges: Map<string, string>;
  readonly known: Map<string, string>;
  readonly changedApplications = new Set<string>();
  readonly changedListings = new Set<string>();

  private readonly reviewClaimMs: number;

  /** `reviewClaimMs`: how long a review claim lasts (REVIEW_CLAIM_MINUTES). */
  constructor(state: BatchState, reviewClaimMs: number) {
    this.reviewClaimMs = reviewClaimMs;
    this.applications = state.applications;
    this.listings = state.listings;
    this.pendingChanges = state.pendingChanges;
    this.known = state.known;
  }

  fold(command: Command, payloadHash: string, at: number): FoldStep {
    const seenHash = this.known.get(command.commandId);
    if (seenHash === payloadHash) return { outcome: 'duplicate', command };
    if (seenHash !== undefined) {
      const reused: DomainEvent = { type: 'CommandRejected', commandType: command.type, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this commandId was already used for a different command' };
      const application = this.applications.get(command.applicationId) ?? null;
      return { outcome: 'reused', command, decided: { command, application, events: [reused], listing: null, at, idScope: `${command.commandId}/reused/${payloadHash}` } };
    }
    this.known.set(command.commandId, payloadHash);
    return { outcome: 'decided', command, decided: { command, ...this.apply(command, at), at } };
  }

  listingIdOf(command: Command): string | null {
    if (command.type === 'SubmitApplication') return command.listingId;
    return this.applications.get(command.applicationId)?.listingId ?? null;
  }

  private apply(command: Command, at: number): { application: Application | null; events: DomainEvent[]; listing: Listing | null } {
    const before = this.applications.get(command.applicationId) ?? decider.initialState;
    const listingId = this.listingIdOf(command);
    const pending = listingId ? this.pendingChanges.get(listingId) ?? null : null;
    const events = decider.decide(before, command, {
      listing: listingId ? this.listings.get(listingId) ?? null : null,
      pendingChangeId: pending === command.applicationId ? null : pending,
      reviewClaimMs: this.reviewClaimMs,
    });
    let application = before;
    let listing: Listing | null = null;
    const meta = { applicationId: command.applicationId, at };
    for (const event of events) {
      application = decider.evolve(application, event, meta);
      if (decider.listingChangedBy(event)) {
        listing = decider.evolveListing(this.listings.get(event.listingId) ?? null, event, meta);
        this.listings.set(listing.id, listing);
        this.changedListings.add(listing.id);
      }
    }
    if (application && application !== before) {
      this.applications.set(application.id, application);
      this.changedApplications.add(application.id);
      if (application.listingId !== null) {
        const pending = decider.pendingChangeAfter(this.pendingChanges.get(application.listingId) ?? null, before, application);
        if (pending === null) this.pendingChanges.delete(application.listingId);
        else this.pendingChanges.set(application.listingId, pending);
      }
    }
    return { application, events, listing };
  }
}
