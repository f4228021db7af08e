import { decide } from './decide.ts';
import { evolve, type EvolveMeta } from './evolve.ts';
import type { Application, Command, DecisionContext, DomainEvent } from '../../domain/types.ts';

/**
 * The approval rules as one value: what the shell folds a command stream through. An
 * application that does not exist yet is the initial state; `decide` answers a command with
 * events, `evolve` applies one event. Pure: tests call it with plain values.
 */
export interface Decider {
  readonly initialState: Application | null;
  decide(state: Application | null, command: Command, context: DecisionContext): DomainEvent[];
  evolve(state: Application | null, event: DomainEvent, meta: EvolveMeta): Application | null;
}

export const decider: Decider = { initialState: null, decide, evolve };
