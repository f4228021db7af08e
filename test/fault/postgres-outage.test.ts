import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { loadProducer, sendPaced } from '../support/fault/load.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { buildLoad, expectClean, report, seedFor, settle, summarize, waitResumed } from '../support/fault/scenario.ts';
import { committedOffsets } from '../support/fault/topics.ts';

/**
 * Scenario 2: PostgreSQL is stopped for more than ten seconds while commands flow, then
 * started again on the same data and port. The processor must pause (no offsets committed
 * past unapplied work), report not ready, and resume by itself.
 */

const COMMANDS = Number(process.env.FAULT_PG_COMMANDS ?? 5000);
const OUTAGE_MS = Number(process.env.FAULT_PG_OUTAGE_MS ?? 12_000);

let stack: FaultStack;
let processor: ServiceProcess | undefined;

beforeAll(async () => {
  stack = await startFaultStack({ ownPostgres: true });
});
afterAll(async () => {
  await processor?.destroy();
  await stack?.stop();
});

const sum = (offsets: Map<number, bigint>) => [...offsets.values()].reduce((total, offset) => total + offset, 0n);

test(`PostgreSQL down for ${OUTAGE_MS / 1000} s under load: not ready during the outage, resumes by itself, nothing lost`, async () => {
  const seed = seedFor(2);
  const records = await buildLoad(stack, seed, COMMANDS);
  processor = await ServiceProcess.start({ name: 'pg-outage', env: serviceEnv(stack.config), logDir: stack.dir });
  await processor.waitReady();
  const producer = loadProducer(stack.kafka);
  await producer.connect();
  const sending = sendPaced(producer, stack.topics.commands, records, { ratePerSecond: COMMANDS / 40, chunk: 50 });
  await waitResumed(stack, 60_000);

  await stack.postgres!.stop();
  const downAt = Date.now();
  // Not ready while the database is away: a real 503 from /readyz, not a timeout.
  let notReady: Awaited<ReturnType<ServiceProcess['readyz']>> = null;
  for (;;) {
    const reply = await processor.readyz(15_000);
    if (reply?.status === 503) { notReady = reply; break; }
    if (Date.now() - downAt > 30_000) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const notReadyAfterMs = Date.now() - downAt;
  // The batch in flight when the database went may still commit; after that nothing may move.
  const committedEarly = sum(await committedOffsets(stack, stack.config.KAFKA_GROUP_ID, stack.topics.commands));
  const remaining = OUTAGE_MS - (Date.now() - downAt);
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  const committedLate = sum(await committedOffsets(stack, stack.config.KAFKA_GROUP_ID, stack.topics.commands));
  const stillNotReady = await processor.readyz(15_000);
  const outageMs = Date.now() - downAt;

  await stack.postgres!.start();
  const upAt = Date.now();
  const resumeMs = await waitResumed(stack, 120_000);
  const readyMs = (await processor.waitReady(120_000), Date.now() - upAt);
  await sending;
  await producer.disconnect();

  const { expectation, log, convergence, observed, verdict, intents } = await settle(stack, records, 180_000);
  // The outage hits whichever step touches PostgreSQL at that moment: the batch transaction,
  // the outbox drain, or marking published rows. Any of them retrying shows the pause.
  const retries = String([...(await processor.metricsText()).matchAll(/backoffice_processor_retries_total\{step="[^"]+"\} (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0));
  report(summarize({
    broker: stack.broker.label, scenario: '2-postgres-outage', seed, faultsInjected: 1, faults: `PostgreSQL stopped for ${Math.round(outageMs / 100) / 10} s mid-load`,
    recoverMs: resumeMs, sent: records.length,
  }, expectation, verdict, {
    converged: convergence.converged, logRecords: log.length, notReadyAfterMs, readyAgainMs: readyMs, databaseRetries: Number(retries),
    committedDuringOutage: Number(committedLate - committedEarly),
  }), verdict, intents);

  expect(notReady?.status).toBe(503);
  expect(notReady?.body.checks.database).toBe(false);
  expect(stillNotReady?.status).toBe(503);
  expect(outageMs).toBeGreaterThanOrEqual(10_000);
  expect(committedLate).toBe(committedEarly);
  expect(Number(retries)).toBeGreaterThan(0);
  expect(processor.alive).toBe(true);
  expect(convergence.converged).toBe(true);
  expectClean(verdict, expectation, observed, records.length, intents);
}, 600_000);
