import type { Admin } from 'kafkajs';
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
 * instance joined). Each kill's precondition is checked on what the dead process left behind
 * (and, for (b), on what its pipeline held just before), so a kill that missed its window does
 * not count.
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
  await admin?.disconnect();
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

/**
 * One connected admin for every look at the group: the rebalance a joiner starts lasts until the
 * old member's next heartbeat (1 s at most), and an admin connected per look (metadata, the
 * coordinator's lookup, then the answer) was slow enough on a loaded machine to miss it.
 */
let admin: Admin | undefined;
async function groupState(): Promise<string> {
  if (!admin) {
    admin = stack.kafka.admin();
    await admin.connect();
  }
  const { groups } = await admin.describeGroups([stack.config.KAFKA_GROUP_ID]);
  return groups[0]?.state ?? 'Unknown';
}

const HELD = /^backoffice_processor_pipeline_commands\{partition="\d+"\} (\d+)$/gm;

/** Commands the instance's pipeline holds, fetched and not yet committed, over all its partitions. */
async function held(instance: ServiceProcess): Promise<number> {
  return [...(await instance.metricsText()).matchAll(HELD)].reduce((sum, [, commands]) => sum + Number(commands), 0);
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

  // (b) A second instance joins; the first is killed while the group rebalances and its pipeline
  // still holds work: fetched and in a transaction, applied, or published, with its offsets not
  // committed. What a transaction held leaves no trace in PostgreSQL, so the pipeline's own
  // gauge, read just before the kill, says so (it caught up a backlog in rounds of a thousand,
  // and a kill inside one found nothing applied beyond the committed offsets in half the attempts).
  const duringRevocation: number[] = [];
  // Every attempt, hit or not, so that a miss says which precondition failed.
  const attempts: { rebalancing: boolean; held: number; inFlight: number }[] = [];
  for (let attempt = 0; attempt < ATTEMPTS && duringRevocation.length < KILLS; attempt++) {
    await until(async () => (await groupState()) === 'Stable', 30_000);
    // It must have taken work of its own since it joined, or the kill finds only what it inherited.
    const before = await highestOutboxId();
    await until(async () => (await highestOutboxId()) !== before, 20_000);
    const joining = await start('joining');
    const rebalancing = await until(async () => ['PreparingRebalance', 'CompletingRebalance'].includes(await groupState()), 20_000);
    const holding = await held(current);
    current.kill('SIGKILL');
    expect((await current.waitExit(10_000)).signal).toBe('SIGKILL');
    const inFlight = await appliedBeyondCommit() + (await progress(stack)).unpublished;
    attempts.push({ rebalancing, held: holding, inFlight });
    if (rebalancing && holding + inFlight > 0) duringRevocation.push(holding + inFlight);
    // The joiner holds every partition now; it is the next victim.
    current = joining;
    await current.waitReady();
  }
  windowsDone = true;
  const { sent } = await sending;
  expect(sent).toBeLessThan(records.length);
  expect({ hits: duringRevocation.length, attempts }).toMatchObject({ hits: KILLS });

  await producer.disconnect();
  const lastFaultAt = Date.now();
  const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records.slice(0, sent), 240_000, lastFaultAt);
  report(summarize({
    broker: stack.broker.label, scenario: '7-pipeline-kill', seed, faultsInjected: betweenCommitAndPublish.length + duringRevocation.length,
    faults: `${betweenCommitAndPublish.length} SIGKILLs with rows committed and unpublished (${betweenCommitAndPublish.join('/')} left), `
      + `${duringRevocation.length} during a rebalance with work held in the pipeline, applied or unpublished beyond the committed offsets (${duringRevocation.join('/')})`,
    recoverMs, sent,
  }, expectation, verdict, { converged: convergence.converged, logRecords: log.length }), verdict, intents);

  expect(convergence.converged).toBe(true);
  expectClean(verdict, expectation, observed, sent, intents);
  for (const child of processes) expect(child.errorLines()).toEqual([]);
}, 900_000);
