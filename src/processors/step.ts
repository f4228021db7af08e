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

/**
 * Errors that mean this member has to rejoin the group (evicted after a network cut, or a
 * rebalance under way). Retrying in place can never succeed: kafkajs rejoins only once
 * eachBatch gives the error back. What the batch already wrote is safe, its records come back
 * to whoever owns the partition next and are deduplicated by commandId.
 */
const REJOIN = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'FENCED_INSTANCE_ID']);
/** The group error behind `error`, if any: kafkajs wraps it once its own retries are spent. */
export function rejoinCause(error: unknown): Error | null {
  for (let current = error as { type?: unknown; cause?: unknown } | null | undefined, depth = 0; current && depth < 5; current = current.cause as typeof current, depth++) {
    if (REJOIN.has(String(current.type))) return current as unknown as Error;
  }
  return null;
}
