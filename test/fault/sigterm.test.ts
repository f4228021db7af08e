import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { random, loadProducer, sendPaced } from '../support/fault/load.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { buildLoad, expectationOf, expectClean, progress, report, seedFor, settle, summarize } from '../support/fault/scenario.ts';
import { committedOffsets } from '../support/fault/topics.ts';

/**
 * Scenario 5: SIGTERM while commands flow. The process must finish the batch in hand,
 * publish its outcomes, commit its offsets and exit 0 within a bounded time: afterwards the
 * committed offsets cover exactly what the database holds, and the outbox is empty.
 */

const COMMANDS = Number(process.env.FAULT_SIGTERM_COMMANDS ?? 6000);
const STOPS = Number(process.env.FAULT_SIGTERM_STOPS ?? 3);
/** main.ts gives up after 30 s; a graceful stop under load must take far less. */
const EXIT_BOUND_MS = 15_000;

let stack: FaultStack;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  for (const child of processes) await child.destroy();
  await stack?.stop();
});

test(`SIGTERM ${STOPS} times under ${COMMANDS} commands: batch completed, offsets committed, exit 0 in bounded time`, async () => {
  const seed = seedFor(5);
  const rnd = random(seed);
  const records = await buildLoad(stack, seed, COMMANDS);
  const env = serviceEnv(stack.config);
  const producer = loadProducer(stack.kafka);
  await producer.connect();
  // One burst per stop: the signal comes while the instance is working through it.
  const burst = Math.ceil(records.length / STOPS);

  const stops: { exitMs: number; code: number | null; committed: Record<number, string>; beyondCommit: number; unpublished: number; missingBelowCommit: number }[] = [];
  for (let round = 0; round < STOPS; round++) {
    const child = await ServiceProcess.start({ name: `sigterm-${round}`, env, logDir: stack.dir });
    processes.push(child);
    await child.waitReady();
    const before = await progress(stack);
    const sending = sendPaced(producer, stack.topics.commands, records.slice(round * burst, (round + 1) * burst), { ratePerSecond: 1000, chunk: 100 });
    // SIGTERM right after a batch transaction commits (processed_commands grows, polled every
    // 10 ms), a random few milliseconds in: its publish and offset commit are still in hand.
    let busy = before;
    const deadline = Date.now() + 60_000;
    while (busy.processed === before.processed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      busy = await progress(stack);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.round(rnd() * 50)));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const exit = await child.waitExit(EXIT_BOUND_MS);
    const exitMs = Date.now() - signalledAt;

    // What the stopped process left behind: everything it applied is committed, nothing beyond.
    const committed = await committedOffsets(stack, stack.config.KAFKA_GROUP_ID, stack.topics.commands);
    const beyond = await stack.query<{ n: string }>(`
      SELECT count(*) AS n FROM processed_commands p
      WHERE p.source_offset >= COALESCE((SELECT c.o FROM unnest($1::int[], $2::bigint[]) AS c(p, o) WHERE c.p = p.source_partition), 0)`,
    [[...committed.keys()], [...committed.values()].map(String)]);
    const deadLettersBeyond = await stack.query<{ n: string }>(`
      SELECT count(*) AS n FROM outbox o
      WHERE o.topic = $3 AND (o.headers->>'source.offset')::bigint >= COALESCE((SELECT c.o FROM unnest($1::int[], $2::bigint[]) AS c(p, o) WHERE c.p = o.source_partition), 0)`,
    [[...committed.keys()], [...committed.values()].map(String), stack.topics.dlq]);
    const { unpublished } = await progress(stack);
    // ...and everything below the committed offsets is applied (the oracle over the log so far).
    const { expectation: soFar } = await expectationOf(stack);
    const applied = new Set((await stack.query<{ command_id: string }>('SELECT command_id FROM processed_commands')).map((row) => row.command_id));
    const missingBelowCommit = [...soFar.processed].filter(([commandId, want]) =>
      BigInt(want.offset) < (committed.get(want.partition) ?? 0n) && !applied.has(commandId)).length;
    stops.push({
      exitMs, code: exit.code, committed: Object.fromEntries([...committed].map(([partition, offset]) => [partition, String(offset)])),
      beyondCommit: Number(beyond[0]!.n) + Number(deadLettersBeyond[0]!.n), unpublished, missingBelowCommit,
    });
    expect(busy.processed).toBeGreaterThan(before.processed);
    await sending;
  }
  await producer.disconnect();

  // A last instance finishes the rest; then the oracle over everything.
  const last = await ServiceProcess.start({ name: 'sigterm-final', env, logDir: stack.dir });
  processes.push(last);
  const restartedAt = Date.now();
  await last.waitReady();
  const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 180_000, restartedAt);
  const exitTimes = stops.map((stop) => stop.exitMs);
  report(summarize({
    broker: stack.broker.label, scenario: '5-sigterm', seed, faultsInjected: stops.length, faults: `${stops.length} SIGTERMs under load, each followed by a fresh instance`,
    recoverMs, sent: records.length,
  }, expectation, verdict, {
    converged: convergence.converged, logRecords: log.length, exitCodes: stops.map((stop) => stop.code), exitMs: exitTimes,
    appliedBeyondCommitAtExit: stops.map((stop) => stop.beyondCommit), unpublishedAtExit: stops.map((stop) => stop.unpublished),
    committedAtExit: stops.map((stop) => stop.committed), missingBelowCommitAtExit: stops.map((stop) => stop.missingBelowCommit),
  }), verdict, intents);

  for (const stop of stops) {
    expect(stop.code).toBe(0);
    expect(stop.exitMs).toBeLessThan(EXIT_BOUND_MS);
    expect(stop.beyondCommit).toBe(0);
    expect(stop.unpublished).toBe(0);
    expect(stop.missingBelowCommit).toBe(0);
  }
  expect(convergence.converged).toBe(true);
  expectClean(verdict, expectation, observed, records.length, intents);
  for (const child of processes) expect(child.errorLines()).toEqual([]);
}, 600_000);
