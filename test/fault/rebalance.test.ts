import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { random, loadProducer, sendPaced } from '../support/fault/load.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { buildLoad, expectClean, handshakeWatch, report, seedFor, settle, summarize } from '../support/fault/scenario.ts';
import type { KillWindow } from '../support/fault/scenario.ts';

/**
 * Scenario 4: two processor instances in one consumer group; one of them is SIGKILLed and
 * restarted again and again while commands flow, so partitions move back and forth between
 * them (the survivor takes them over, the restarted one takes its share back) mid-batch.
 */

const COMMANDS = Number(process.env.FAULT_REBALANCE_COMMANDS ?? 10_000);
const KILLS = Number(process.env.FAULT_REBALANCE_KILLS ?? 6);

let stack: FaultStack | undefined;
let watch: KillWindow | undefined;
const processes: ServiceProcess[] = [];

async function tearDown(): Promise<void> {
  for (const child of processes.splice(0)) await child.destroy();
  await watch?.close();
  watch = undefined;
  await stack?.stop();
  stack = undefined;
}
afterAll(tearDown);

/**
 * go-mokapi 0.52 handles every request in a goroutine of its own and writes a group's committed
 * offsets to an unsynchronised Go map (store.(*Group).Commit): two members committing at the same
 * instant can kill it with "fatal error: concurrent map writes". One service instance commits one
 * offset at a time, two cannot coordinate. When the broker, not the service, died that way, the
 * scenario runs once more on a fresh stack and says so; any other failure, or the race twice,
 * fails the test. Only there: on Apache Kafka any failure fails the test.
 */
const brokerRaced = (crashed: FaultStack) => crashed.broker.kind === 'go-mokapi' && !crashed.brokerAlive() && /concurrent map (read and map )?write/.test(crashed.broker.stderrTail());

// eslint-disable-next-line jest/expect-expect -- scenario() is the body and asserts; it runs again only after a broker race
test(`two instances, one SIGKILLed ${KILLS}+ times under ${COMMANDS} commands: partitions move, nothing lost or applied twice`, async () => {
  try {
    await scenario(stack = await startFaultStack());
  } catch (error) {
    if (!brokerRaced(stack!)) throw error;
    process.stdout.write('FAULT-BROKER-RACE go-mokapi died in its unsynchronised offset-commit map; the scenario runs again on a fresh stack\n');
    await tearDown();
    await scenario(stack = await startFaultStack());
  }
}, 1_200_000);

async function scenario(stack: FaultStack): Promise<void> {
  const seed = seedFor(4);
  const rnd = random(seed);
  const records = await buildLoad(stack, seed, COMMANDS);
  const { proxy, env: viaProxy, preload } = await handshakeWatch(stack);
  watch = proxy;
  const env = serviceEnv(stack.config, viaProxy);
  const start = async (name: string) => {
    const clientId = `${name}-${processes.length}`;
    const child = await ServiceProcess.start({ name: clientId, env: { ...env, KAFKA_CLIENT_ID: clientId }, logDir: stack.dir, preload });
    processes.push(child);
    return child;
  };
  const survivor = await start('survivor');
  await survivor.waitReady();
  let victim = await start('victim');
  await victim.waitReady();

  const producer = loadProducer(stack.kafka);
  await producer.connect();
  let sendingDone = false;
  const sending = sendPaced(producer, stack.topics.commands, records, { ratePerSecond: Number(process.env.FAULT_REBALANCE_RATE ?? 100), chunk: 50 })
    .finally(() => { sendingDone = true; });

  const joinTimes: number[] = [];
  let kills = 0;
  let duringStartup = 0;
  while (kills < KILLS || !sendingDone) {
    // Mostly once the restarted instance has joined and taken partitions back; sometimes before.
    if (kills % 3 !== 2) joinTimes.push(await victim.waitReady(90_000));
    else duringStartup += 1;
    await new Promise((resolve) => setTimeout(resolve, Math.round(kills % 3 === 2 ? 500 + rnd() * 2000 : 2000 + rnd() * 6000)));
    const dying = victim;
    expect(await proxy.outsideHandshake(() => { dying.kill('SIGKILL'); return true; }, { clientId: dying.name, timeoutMs: 60_000 })).toBe(true);
    expect((await victim.waitExit(10_000)).signal).toBe('SIGKILL');
    kills += 1;
    victim = await start('victim');
  }
  await sending;
  await producer.disconnect();
  const lastFaultAt = Date.now();
  await victim.waitReady();

  const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 240_000, lastFaultAt);
  const sorted = [...joinTimes].sort((a, b) => a - b);
  report(summarize({
    broker: stack.broker.label, scenario: '4-rebalance', seed, faultsInjected: kills,
    faults: `2 instances in one group; one SIGKILLed ${kills} times (${duringStartup} before it had joined${stack.broker.kind === 'go-mokapi' ? '; none inside the JoinGroup-SyncGroup handshake' : ''}) and restarted each time`,
    recoverMs, sent: records.length,
  }, expectation, verdict, {
    converged: convergence.converged, logRecords: log.length, survivorAlive: survivor.alive,
    restartedInstanceReadyMs: { median: sorted[Math.floor(sorted.length / 2)] ?? null, max: sorted[sorted.length - 1] ?? null },
  }), verdict, intents);

  expect(convergence.converged).toBe(true);
  expect(kills).toBeGreaterThanOrEqual(KILLS);
  expect(survivor.alive).toBe(true);
  expectClean(verdict, expectation, observed, records.length, intents);
  for (const child of processes) expect(child.errorLines()).toEqual([]);
}
