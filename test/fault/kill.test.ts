import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { random, loadProducer, sendPaced } from '../support/fault/load.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { buildLoad, expectClean, handshakeWatch, report, seedFor, settle, summarize, waitResumed } from '../support/fault/scenario.ts';
import type { KillWindow } from '../support/fault/scenario.ts';

/**
 * Scenario 1: the processor process is SIGKILLed at random moments (mid-batch, mid-publish,
 * mid-startup) at least ten times while 20,000 commands flow, and restarted each time.
 */

const COMMANDS = Number(process.env.FAULT_KILL_COMMANDS ?? 20_000);
const KILLS = Number(process.env.FAULT_KILLS ?? 10);

let stack: FaultStack;
let watch: KillWindow | undefined;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  for (const child of processes) await child.destroy();
  await watch?.close();
  await stack?.stop();
});

test(`SIGKILL ${KILLS}+ times under ${COMMANDS} commands: nothing lost, nothing applied twice, events complete and in order`, async () => {
  const seed = seedFor(1);
  const rnd = random(seed);
  const records = await buildLoad(stack, seed, COMMANDS);
  const producer = loadProducer(stack.kafka);
  await producer.connect();
  const { proxy, env: viaProxy, preload } = await handshakeWatch(stack);
  watch = proxy;
  const env = serviceEnv(stack.config, viaProxy);
  const start = async () => {
    const name = `kill-${processes.length}`;
    const child = await ServiceProcess.start({ name, env: { ...env, KAFKA_CLIENT_ID: name }, logDir: stack.dir, preload });
    processes.push(child);
    return child;
  };

  let current = await start();
  await current.waitReady();
  let sendingDone = false;
  // go-mokapi burns a core per few thousand records produced: it gets the gentler pace.
  const rate = Number(process.env.FAULT_KILL_RATE ?? (stack.broker.kind === 'go-mokapi' ? 150 : 300));
  const sending = sendPaced(producer, stack.topics.commands, records, { ratePerSecond: rate, chunk: 50 })
    .finally(() => { sendingDone = true; });

  const kills: { duringStartup: boolean; afterMs: number; resumeMs: number }[] = [];
  let resumeMs = 0;
  while (kills.length < KILLS || !sendingDone) {
    // Every third kill lands during start-up (joining the group, draining the outbox); the
    // others a random moment after the process has resumed committing work.
    const duringStartup = kills.length % 3 === 2;
    if (!duringStartup) resumeMs = await waitResumed(stack, 90_000);
    const afterMs = Math.round(duringStartup ? 100 + rnd() * 1500 : 100 + rnd() * 2000);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    const victim = current;
    expect(await proxy.outsideHandshake(() => { victim.kill('SIGKILL'); return true; }, { clientId: victim.name, timeoutMs: 60_000 })).toBe(true);
    const exit = await current.waitExit(10_000);
    expect(exit.signal).toBe('SIGKILL');
    kills.push({ duringStartup, afterMs, resumeMs: duringStartup ? 0 : resumeMs });
    current = await start();
  }
  await sending;
  await producer.disconnect();
  const restartedAt = Date.now();
  await current.waitReady();

  const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 240_000, restartedAt);
  const resumes = kills.filter((kill) => !kill.duringStartup).map((kill) => kill.resumeMs).sort((a, b) => a - b);
  report(summarize({
    broker: stack.broker.label, scenario: '1-sigkill', seed, faultsInjected: kills.length,
    faults: `${kills.length} SIGKILLs of the only processor (${kills.filter((k) => k.duringStartup).length} during start-up${stack.broker.kind === 'go-mokapi' ? '; none inside the JoinGroup-SyncGroup handshake' : ''}), each restarted`,
    recoverMs, sent: records.length,
  }, expectation, verdict, {
    converged: convergence.converged, logRecords: log.length, ratePerSecond: rate,
    resumeAfterRestartMs: { median: resumes[Math.floor(resumes.length / 2)] ?? null, max: resumes[resumes.length - 1] ?? null },
  }), verdict, intents);

  expect(convergence.converged).toBe(true);
  expect(kills.length).toBeGreaterThanOrEqual(KILLS);
  expectClean(verdict, expectation, observed, records.length, intents);
  for (const child of processes) expect(child.errorLines()).toEqual([]);
}, 600_000);
