import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';

export interface Poller {
  /** Runs one poll now (after any poll in flight) and resolves when it is done; for tests and tools. */
  pollNow(): Promise<void>;
  /** Stops the schedule and waits for a poll in flight. */
  stop(): Promise<void>;
}

/**
 * Runs `poll` at once and then `intervalMs` after each completion, never two at a time. A failed
 * poll is counted in backoffice_ops_collector_errors_total and logged once per outage (not once
 * per poll); the gauges keep their last values, and
 * backoffice_ops_collector_last_success_timestamp_seconds shows how old they are.
 */
export function startPoller(name: string, intervalMs: number, poll: () => Promise<void>, deps: { metrics: Metrics; logger: Logger }): Poller {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let failing = false;
  // The series exists from the start at 0: increase() over a series that appears at 1 misses the
  // first failure, and a scrape can tell "no failures" from "no such collector".
  deps.metrics.collectorErrors.inc({ collector: name }, 0);

  const runOnce = async () => {
    try {
      await poll();
      deps.metrics.collectorLastSuccess.set({ collector: name }, Date.now() / 1000);
      if (failing) deps.logger.info({ collector: name }, 'operational collector recovered');
      failing = false;
    } catch (error) {
      deps.metrics.collectorErrors.inc({ collector: name });
      if (!failing) deps.logger.warn({ err: error, collector: name }, 'operational collector poll failed; retrying every interval');
      failing = true;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, intervalMs);
    timer.unref();
  };

  running = runOnce().finally(schedule);

  return {
    async pollNow() {
      await running;
      if (stopped) return;
      clearTimeout(timer);
      running = runOnce().finally(schedule);
      await running;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
