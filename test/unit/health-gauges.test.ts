import { createMetrics } from '../../src/metrics.ts';
import { exportHealth } from '../../src/ops/health-gauges.ts';
import type { ProcessorHealth } from '../../src/processors/processor.ts';
import { allOf, parseMetrics, valueOf } from '../support/metrics.ts';

/** backoffice_service_ready and backoffice_processor_stalled_step, read at scrape time from readiness and the processor's health. */

async function scrape(readiness: () => Promise<{ ready: boolean; checks: Record<string, boolean | string> }>, health: Pick<ProcessorHealth, 'stalled'>) {
  const metrics = createMetrics();
  exportHealth(metrics, readiness, health);
  return parseMetrics(await metrics.registry.metrics());
}

test('ready and nothing stalled: backoffice_service_ready 1, every step 0, every step\'s retry counter at 0', async () => {
  const samples = await scrape(async () => ({ ready: true, checks: {} }), { stalled: null });
  expect(valueOf(samples, 'backoffice_service_ready')).toBe(1);
  const steps = allOf(samples, 'backoffice_processor_stalled_step');
  expect(steps.map((s) => s.labels.step).sort()).toEqual(['claim', 'commit', 'database', 'decode', 'drain-outbox', 'publish']);
  expect(steps.every((s) => s.value === 0)).toBe(true);
  expect(allOf(samples, 'backoffice_processor_retries_total').map((s) => s.value)).toEqual([0, 0, 0, 0, 0, 0]);
});

test('a stalled step shows as 1 for that step only, and readiness answering not ready is 0', async () => {
  const samples = await scrape(async () => ({ ready: false, checks: { stalledStep: 'publish' } }), { stalled: 'publish' });
  expect(valueOf(samples, 'backoffice_service_ready')).toBe(0);
  expect(allOf(samples, 'backoffice_processor_stalled_step').filter((s) => s.value === 1).map((s) => s.labels.step)).toEqual(['publish']);
});

test('a readiness check that hangs (a database that does not answer) counts as not ready within a second', async () => {
  const started = Date.now();
  const samples = await scrape(() => new Promise(() => {}), { stalled: null });
  expect(valueOf(samples, 'backoffice_service_ready')).toBe(0);
  // The one-second budget, plus what a busy machine adds to a timer: well short of a second more.
  expect(Date.now() - started).toBeLessThan(1500);
});

test('a readiness check that throws counts as not ready', async () => {
  expect(valueOf(await scrape(async () => { throw new Error('pool ended'); }, { stalled: null }), 'backoffice_service_ready')).toBe(0);
});
