import { decide } from './decide.ts';
import { evolve, type EvolveMeta } from './evolve.ts';
import { evolveListing, type ApprovedEvent, type ListingMeta } from './listing.ts';
import { pendingChangeAfter } from './pending-change.ts';
import type { Application, Command, DecisionContext, DomainEvent, Listing } from '../../domain/types.ts';

/**
 * The approval rules as one value: what the shell folds a command stream through. An
 * application that does not exist yet is the initial state; `decide` answers a command with
 * events, `evolve` applies one event. Pure: tests call it with plain values.
 */
export interface Decider {
  readonly initialState: Application | null;
  decide(state: Application | null, command: Command, context: DecisionContext): DomainEvent[];
  evolve(state: Application | null, event: DomainEvent, meta: EvolveMeta): Application | null;
  /** The listing an event creates or changes, if any: only an approval touches one. */
  listingChangedBy(event: DomainEvent): event is ApprovedEvent;
  evolveListing(listing: Listing | null, approved: ApprovedEvent, meta: ListingMeta): Listing;
  /** The listing's pending change after an application changed (the one-pending-change rule). */
  pendingChangeAfter(current: string | null, before: Application | null, after: Application): string | null;
}

export const decider: Decider = {
  initialState: null, decide, evolve, evolveListing, pendingChangeAfter,
  listingChangedBy: (event): event is ApprovedEvent => event.type === 'ApplicationApproved',
};
