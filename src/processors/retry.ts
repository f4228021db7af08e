import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { databaseErrorOf } from './poison.ts';
import { rejoinCause, type StepResult } from './step.ts';
import { BACKOFF_MS } from './supervisor.ts';

/** Still fetching, and the batch's partition is still this member's. */
export const owns = (payload: EachBatchPayload) => payload.isRunning() && !payload.isStale();

export interface StepHealth {
  /** The step that is failing and being retried, if any. */
  stalled: string | null;
}

export type Retrying = <T>(step: string, payload: EachBatchPayload, work: () => Promise<T>) => Promise<StepResult<T>>;

/**
 * Runs a step of a batch until it succeeds, retrying with backoff while this member still owns
 * the partition: a failing dependency pauses the partition (heartbeats kept) instead of
 * skipping or committing past unapplied work. It ends as `abandoned` when the service stops or
 * the partition moved, and as `rejoin` when only a group rejoin can help.
 */
export const retryingSteps = (health: StepHealth, metrics: Metrics, logger: Logger): Retrying =>
  async function retrying<T>(step: string, payload: EachBatchPayload, work: () => Promise<T>): Promise<StepResult<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await work();
        if (health.stalled === step) health.stalled = null;
        return { kind: 'done', value };
      } catch (error) {
        if (!owns(payload)) {
          logger.debug({ err: error, step, partition: payload.batch.partition }, 'processor step abandoned: stopping, or the partition moved');
          return { kind: 'abandoned' };
        }
        const rejoin = rejoinCause(error);
        if (rejoin) return { kind: 'rejoin', cause: rejoin };
        health.stalled = step;
        metrics.retries.inc({ step });
        // PostgreSQL's SQLSTATE and message name the constraint; the error's detail would log the row.
        const database = databaseErrorOf(error);
        logger.warn({ ...(database ? { database } : { err: error }), step, partition: payload.batch.partition, attempt }, 'processor step failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
        // Heartbeats keep the partition while a dependency is away; a rebalance ends the wait.
        const beat = await payload.heartbeat().then(() => null, (failed: unknown) => rejoinCause(failed));
        if (beat) return { kind: 'rejoin', cause: beat };
      }
    }
  };
