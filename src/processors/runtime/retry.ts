import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import { databaseErrorOf } from '../poison.ts';
import { BACKOFF_MS } from './consumer.ts';

/** The steps of the pipeline that can stall, as /readyz and backoffice_processor_stalled_step name them. */
export const STEPS = ['claim', 'drain-outbox', 'decode', 'database', 'publish', 'commit'] as const;
export type Step = (typeof STEPS)[number];

export interface StepHealth {
  /** The step that is failing and being retried, if any. */
  stalled: Step | null;
}

/** How a step ended: done, or abandoned because its work no longer belongs to this instance's current epoch. */
export type Attempt<T> = { kind: 'done'; value: T } | { kind: 'abandoned' };

export type Retrying = <T>(step: Step, partitions: readonly number[], live: () => boolean, work: () => Promise<T>) => Promise<Attempt<T>>;

/**
 * Runs a step until it succeeds, with backoff, while `live()` holds: a failing dependency pauses
 * the work (the consumer keeps heartbeating, since eachBatch has long returned) instead of
 * skipping or committing past unapplied work. Once the work is no longer live (a group join
 * started a new generation), or it fails while the service stops, it is abandoned: what it wrote is safe, its
 * records come back to whoever holds the partition next and are deduplicated by commandId.
 */
export const retryingSteps = (health: StepHealth, metrics: Metrics, logger: Logger, stopping: () => boolean): Retrying =>
  async function retrying<T>(step: Step, partitions: readonly number[], live: () => boolean, work: () => Promise<T>): Promise<Attempt<T>> {
    for (let attempt = 0; ; attempt++) {
      if (!live()) return { kind: 'abandoned' };
      try {
        const value = await work();
        if (health.stalled === step) health.stalled = null;
        return { kind: 'done', value };
      } catch (error) {
        // A graceful stop finishes what works and gives up what fails: it is not committed.
        if (!live() || stopping()) {
          logger.debug({ err: error, step, partitions }, 'processor step abandoned: stopping, or the group moved the partitions');
          return { kind: 'abandoned' };
        }
        health.stalled = step;
        metrics.retries.inc({ step });
        // PostgreSQL's SQLSTATE and message name the constraint; the error's detail would log the row.
        const database = databaseErrorOf(error);
        logger.warn({ ...(database ? { database } : { err: error }), step, partitions, attempt }, 'processor step failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
      }
    }
  };
