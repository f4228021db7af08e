import type { Readiness } from '../http/app.ts';
import { metricsOn, type Metrics } from '../metrics.ts';
import type { ProcessorHealth } from '../processors/processor.ts';
import { STEPS } from '../processors/runtime/retry.ts';


/**
 * A scrape must not wait for a database that does not answer (the pool's connection timeout is
 * 5 s): a readiness check that takes longer than this counts as not ready.
 */
const READINESS_TIMEOUT_MS = 1000;

async function answerWithin(readiness: Readiness, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => { timer = setTimeout(() => resolve(0), timeoutMs); });
  try {
    return await Promise.race([readiness().then((answer) => (answer.ready ? 1 : 0), () => 0), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness and the stalled step as gauges, read at scrape time from what /readyz answers, so that
 * an alert sees what a load balancer sees.
 */
export function exportHealth(metrics: Metrics, readiness: Readiness, health: Pick<ProcessorHealth, 'stalled'>): void {
  const { gauge } = metricsOn(metrics.registry);
  gauge({
    name: 'service_ready', help: 'What /readyz answers: 1 ready (database reachable, broker answering, consumer joined, no step stalled), 0 not.',
    async collect() { this.set(await answerWithin(readiness, READINESS_TIMEOUT_MS)); },
  });
  gauge({
    name: 'processor_stalled_step', help: '1 for the processor step that fails and is being retried (the partition waits), 0 for the others.',
    labelNames: ['step'] as const,
    collect() {
      for (const step of STEPS) this.set({ step }, health.stalled === step ? 1 : 0);
    },
  });
  // Every step has a series from the start: `rate()` and `== 1` over a series that does not exist
  // yet answer nothing, and an alert that answers nothing never fires.
  for (const step of STEPS) metrics.retries.inc({ step }, 0);
}
