import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { loadProducer, sendPaced } from '../support/fault/load.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { buildLoad, expectClean, progress, report, seedFor, settle, summarize } from '../support/fault/scenario.ts';
import { committedOffsets } from '../support/fault/topics.ts';

/**
 * Scenario 7: the pipeline's own windows. eachBatch returns before its records are applied, so
 * an instance holds work at every stage: committed in PostgreSQL but not yet published, published
 * but not yet committed to the group. SIGKILL (a) while rows are committed and unpublished, and
 * (b) while the group revokes the partitions of an instance with work in flight (a second
 * instance joined). Each kill's precondition is checked on what the dead process left behind,
 * so a kill that missed its window does not count.
 */

/**
 * An upper bound: the sender stops once both windows are hit. A fixed-length load ran out before
 * the last revocation kill when restarts were slow, and a kill with no traffic finds nothing in flight.
 */
const COMMANDS = Number(process.env.FAULT_PIPELINE_COMMANDS ?? 120_000);
const KILLS = Number(process.env.FAULT_PIPELINE_KILLS ?? 3);
/** Attempts per window before the scenario gives up on hitting it. */
const ATTEMPTS = 12;

let stack: FaultStack;
const processes: ServiceProcess[] = [];
/** Ends the paced load: once both windows are hit, or when the test ends early. */
let windowsDone = false;

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  windowsDone = true;
  for (const child of processes) await child.destroy();
  await stack?.stop();
});

/** Commands the dead instance applied beyond the group's committed offsets: applied, not yet committed. */
async function appliedBeyondCommit(): Promise<number> {
  const committed = await committedOffsets(stack, stack.config.KAFKA_GROUP_ID, stack.topics.commands);
  const [row] = await stack.query<{ n: string }>(`
    SELECT count(*) AS n FROM processed_commands p
    WHERE p.source_offset >= COALESCE((SELECT c.o FROM unnest($1::int[], $2::bigint[]) AS c(p, o) WHERE c.p = p.source_partition), 0)`,
  [[...committed.keys()], [...committed.values()].map(String)]);
  return Number(row!.n);
}

async function highestOutboxId(): Promise<string> {
  const [row] = await stack.query<{ id: string | null }>('SELECT max(id) AS id FROM outbox');
  return row!.id ?? '0';
}

/** Rows above their partition's watermark, written after `id`. */
async function unpublishedAbove(id: string): Promise<number> {
  const [row] = await stack.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL AND id > $1', [id]);
  return Number(row!.n);
}

async function groupState(): Promise<string> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([stack.config.KAFKA_GROUP_ID]);
    return groups[0]?.state ?? 'Unknown';
  } finally {
    await admin.disconnect();
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

test(`SIGKILL between commit and publish, and during a revocation with work in flight: nothing lost, nothing applied twice`, async () => {
  const seed = seedFor(7);
  const records = await buildLoad(stack, seed, COMMANDS);
  const env = serviceEnv(stack.config);
  const start = async (name: string) => {
    const child = await ServiceProcess.start({ name: `${name}-${processes.length}`, env: { ...env, KAFKA_CLIENT_ID: `${name}-${processes.length}` }, logDir: stack.dir });
    processes.push(child);
    return child;
  };
  const producer = loadProducer(stack.kafka);
  await producer.connect();
  // Paced, and sent until both windows are done: every kill waits out the dead member's session
  // before the group settles, so how long they take depends on the machine.
  const sending = sendPaced(producer, stack.topics.commands, records, { ratePerSecond: 400, chunk: 20, stop: () => windowsDone });

  // (a) Committed in PostgreSQL, not yet published: rows above their partition's watermark.
  const betweenCommitAndPublish: number[] = [];
  let current = await start('pipeline');
  await current.waitReady();
  for (let attempt = 0; attempt < ATTEMPTS && betweenCommitAndPublish.length < KILLS; attempt++) {
    // Only rows this instance committed count: leftovers of the previous one are not its window.
    const before = await highestOutboxId();
    if (!await until(async () => (await unpublishedAbove(before)) > 0, 20_000)) continue;
    current.kill('SIGKILL');
    expect((await current.waitExit(10_000)).signal).toBe('SIGKILL');
    const left = await unpublishedAbove(before);
    if (left > 0) betweenCommitAndPublish.push(left);
    current = await start('pipeline');
    await current.waitReady();
  }
  expect(betweenCommitAndPublish.length).toBe(KILLS);

  // (b) A second instance joins; the first is killed while the group rebalances and it still
  // holds applied work whose offsets are not committed.
  const duringRevocation: number[] = [];
  for (let attempt = 0; attempt < ATTEMPTS && duringRevocation.length < KILLS; attempt++) {
    await until(async () => (await groupState()) === 'Stable', 30_000);
    // It must have taken work of its own since it joined, or the kill finds only what it inherited.
    const before = await highestOutboxId();
    await until(async () => (await highestOutboxId()) !== before, 20_000);
    const joining = await start('joining');
    const rebalancing = await until(async () => ['PreparingRebalance', 'CompletingRebalance'].includes(await groupState()), 20_000);
    current.kill('SIGKILL');
    expect((await current.waitExit(10_000)).signal).toBe('SIGKILL');
    const inFlight = await appliedBeyondCommit() + (await progress(stack)).unpublished;
    if (rebalancing && inFlight > 0) duringRevocation.push(inFlight);
    // The joiner holds every partition now; it is the next victim.
    current = joining;
    await current.waitReady();
  }
  windowsDone = true;
  const { sent } = await sending;
  expect(sent).toBeLessThan(records.length);
  expect(duringRevocation.length).toBe(KILLS);

  await producer.disconnect();
  const lastFaultAt = Date.now();
  const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records.slice(0, sent), 240_000, lastFaultAt);
  report(summarize({
    broker: stack.broker.label, scenario: '7-pipeline-kill', seed, faultsInjected: betweenCommitAndPublish.length + duringRevocation.length,
    faults: `${betweenCommitAndPublish.length} SIGKILLs with rows committed and unpublished (${betweenCommitAndPublish.join('/')} left), `
      + `${duringRevocation.length} during a rebalance with work applied or unpublished beyond the committed offsets (${duringRevocation.join('/')})`,
    recoverMs, sent,
  }, expectation, verdict, { converged: convergence.converged, logRecords: log.length }), verdict, intents);

  expect(convergence.converged).toBe(true);
  expectClean(verdict, expectation, observed, sent, intents);
  for (const child of processes) expect(child.errorLines()).toEqual([]);
}, 900_000);
