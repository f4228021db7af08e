/**
 * How one step of a partition's batch ended. The batch goes on only after `done`; the other two
 * end it, and what the batch already wrote is safe either way: its records come back to whoever
 * owns the partition next and are deduplicated by commandId.
 */
export type StepResult<T> =
  | { kind: 'done'; value: T }
  /** The service is stopping, or the partition moved to another member. */
  | { kind: 'abandoned' }
  /** This member has to rejoin the group (evicted after a network cut, or a rebalance under way). */
  | { kind: 'rejoin'; cause: Error };

/**
 * Ends a batch that cannot go on: kafkajs rejoins only once eachBatch gives the group error
 * back, unwrapped, so a rejoin is thrown; an abandoned batch simply returns.
 */
export function endBatch(result: Exclude<StepResult<unknown>, { kind: 'done' }>): void {
  if (result.kind === 'rejoin') throw result.cause;
}
