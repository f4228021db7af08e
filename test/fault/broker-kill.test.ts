import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { random, loadProducer, sendPaced } from '../support/fault/load.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';
import { buildLoad, expectClean, report, seedFor, settle, summarize, waitResumed } from '../support/fault/scenario.ts';

/**
 * Scenario 6: the Kafka broker itself is SIGKILLed mid-load, while the processor is fetching,
 * applying and publishing, and started again on its log (same data directory, same port).
 * Nothing acknowledged is lost, nothing is applied twice, and what the relay republishes after
 * the broker came back carries the same eventIds, so consumers can drop it.
 */

const COMMANDS = Number(process.env.FAULT_BROKER_COMMANDS ?? 6000);
const KILLS = Number(process.env.FAULT_BROKER_KILLS ?? 3);

let stack: FaultStack;
let processor: ServiceProcess | undefined;

beforeAll(async () => {
  stack = await startFaultStack({ ownBroker: true });
});
afterAll(async () => {
  await processor?.destroy();
  await stack?.stop();
});

test(`the broker SIGKILLed ${KILLS} times under ${COMMANDS} commands and restarted on its log: nothing lost or applied twice, duplicates droppable by eventId`, async () => {
  const seed = seedFor(6);
  const rnd = random(seed);
  const records = await buildLoad(stack, seed, COMMANDS);
  processor = await ServiceProcess.start({ name: 'broker-kill', env: serviceEnv(stack.config), logDir: stack.dir });
  await processor.waitReady();
  const producer = loadProducer(stack.kafka);
  await producer.connect();

  const parts = KILLS + 1;
  const size = Math.ceil(records.length / parts);
  const outages: { afterMs: number; downMs: number; restartMs: number; readyAgainMs: number }[] = [];
  for (let part = 0; part < parts; part++) {
    await sendPaced(producer, stack.topics.commands, records.slice(part * size, (part + 1) * size), { ratePerSecond: 400, chunk: 50 });
    if (part === parts - 1) break;
    // The processor is working through what was just sent: kill the broker a random moment in.
    await waitResumed(stack, 90_000);
    const afterMs = Math.round(100 + rnd() * 1500);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    await stack.ownKafka!.kill();
    expect(stack.brokerAlive()).toBe(false);
    // How long the broker stays away is the fault itself, chosen by the seed.
    const downMs = Math.round(500 + rnd() * 2500);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    const restarting = Date.now();
    await stack.ownKafka!.restart();
    const restartMs = Date.now() - restarting;
    await processor.waitReady(120_000);
    outages.push({ afterMs, downMs, restartMs, readyAgainMs: Date.now() - restarting });
  }
  await producer.disconnect();

  const { expectation, log, convergence, recoverMs, observed, verdict } = await settle(stack, 240_000, Date.now());
  report(summarize({
    broker: stack.broker.label, scenario: '6-broker-sigkill', seed, faultsInjected: outages.length,
    faults: `${outages.length} SIGKILLs of the Kafka broker mid-load, each restarted on its log after ${outages.map((o) => o.downMs).join('/')} ms`,
    recoverMs, sent: records.length,
  }, expectation, verdict, {
    converged: convergence.converged, logRecords: log.length,
    brokerRestartMs: outages.map((o) => o.restartMs), processorReadyAgainMs: outages.map((o) => o.readyAgainMs),
  }), verdict);

  expect(convergence.converged).toBe(true);
  expect(outages).toHaveLength(KILLS);
  // The service rode out every outage in one process: paused, never crashed, never restarted.
  expect(processor.alive).toBe(true);
  expectClean(verdict, expectation, observed, records.length);
}, 900_000);
