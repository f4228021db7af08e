import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseStack } from '../../../dev/stack/choose.ts';
import { startKafkaCluster, type ClusterNode, type EmbeddedKafkaCluster } from '../../../dev/stack/kafka-cluster.ts';
import { sharedKafka } from '../shared-stack.ts';
import { random, loadProducer, sendPaced, type LoadRecord } from './load.ts';
import { osPort } from './ports.ts';
import { serviceEnv, ServiceProcess } from './process.ts';
import { buildLoad, expectClean, explainMissing, report, seedFor, settle, summarize, waitResumed } from './scenario.ts';
import { startFaultStack, type FaultStack } from './stack.ts';

/**
 * The replicated cluster of a suite file, started for the files that need it and only then:
 * three brokers, three controllers, every topic with three replicas and min.insync.replicas=2.
 * Null on the go-mokapi fallback (see notOnCluster).
 */
async function suiteCluster(): Promise<{ cluster: EmbeddedKafkaCluster; stop(): Promise<void> } | null> {
  if (sharedKafka() === null) return null;
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-cluster-'));
  const cluster = await startKafkaCluster({ dir, version: chooseStack().kafkaVersion, partitions: 3, port: osPort }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    cluster,
    async stop() {
      await cluster.stop();
      if (!process.env.FAULT_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The file's cluster, started before its tests and stopped after them; undefined on the fallback. */
export function clusterForFile(): () => EmbeddedKafkaCluster | undefined {
  let owned: Awaited<ReturnType<typeof suiteCluster>> = null;
  beforeAll(async () => {
    owned = await suiteCluster();
  }, 300_000);
  afterAll(async () => {
    await owned?.stop();
  });
  return () => owned?.cluster;
}

/**
 * On the go-mokapi fallback there is no replicated cluster to run on: the scenario checks that
 * the run is on that fallback and says so. With Apache Kafka chosen (or forced), it fails.
 */
export function notOnCluster(scenario: string): void {
  const choice = chooseStack();
  expect(choice.broker).toBe('go-mokapi');
  process.stdout.write(`FAULT-NOT-APPLICABLE ${scenario} broker=go-mokapi (${choice.fallbackReason}): the replicated-cluster scenarios need Apache Kafka (CI forces it).\n`);
}

/** Every node running, every replica of the stack's topics and of the group offsets in sync. */
export async function wholeAgain(stack: FaultStack, timeoutMs = 120_000): Promise<void> {
  const cluster = stack.cluster!;
  for (const node of [...cluster.controllerNodes, ...cluster.brokerNodes]) if (!node.alive()) await node.start();
  await cluster.waitInSync([stack.topics.commands, stack.topics.events, stack.topics.notifications, '__consumer_offsets'], timeoutMs);
}

/** Fault pacing: how long a fault lasts is the experiment, not a wait for a condition. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one fault did, for the summary. */
export interface FaultRecord {
  node: string;
  /** ms from commits resuming to the fault. */
  afterMs: number;
  downMs: number;
  /** ms from the node's start to it serving again. */
  restartMs: number;
  [detail: string]: unknown;
}

export interface Bounce {
  /** The scenario's name in its summary. */
  scenario: string;
  /** Summary number of the seed (`seedFor`). */
  seedNumber: number;
  commands: number;
  faults: number;
  rate: number;
  /** Words for the summary, given what each fault did. */
  describe(faults: FaultRecord[]): string;
  /** One fault on the running cluster, the node back and in sync before it returns. */
  inject(stack: FaultStack, index: number, rnd: () => number): Promise<FaultRecord>;
}

/**
 * The frame of a cluster scenario: a seeded load sent in one part per fault and a last one, each
 * fault landing while its part is sent and the processor works on it (the sender keeps its
 * records through an outage and sends again until acknowledged), then both oracles, and the one
 * processor process must have ridden every fault out, logging no error.
 */
export async function bounceUnderLoad(cluster: EmbeddedKafkaCluster, bounce: Bounce): Promise<void> {
  const stack = await startFaultStack({ cluster });
  let processor: ServiceProcess | undefined;
  try {
    const seed = seedFor(bounce.seedNumber);
    const rnd = random(seed);
    const records: LoadRecord[] = await buildLoad(stack, seed, bounce.commands);
    processor = await ServiceProcess.start({ name: bounce.scenario, env: serviceEnv(stack.config), logDir: stack.dir });
    await processor.waitReady();
    const producer = loadProducer(stack.kafka, { wholeSends: true });
    await producer.connect();
    const parts = bounce.faults + 1;
    const size = Math.ceil(records.length / parts);
    const faults: FaultRecord[] = [];
    let resends = 0;
    for (let part = 0; part < parts; part++) {
      const sending = sendPaced(producer, stack.topics.commands, records.slice(part * size, (part + 1) * size), { ratePerSecond: bounce.rate, chunk: 50, persistMs: 120_000 });
      // Awaited below; a failure meanwhile must not count as unhandled.
      sending.catch(() => {});
      if (part < bounce.faults) {
        await waitResumed(stack, 120_000);
        faults.push(await bounce.inject(stack, part, rnd));
      }
      resends += (await sending).resends;
    }
    await producer.disconnect();
    const { expectation, log, convergence, recoverMs, observed, verdict, intents } = await settle(stack, records, 240_000);
    if (verdict.eventsMissing > 0) await explainMissing(stack, expectation, observed, faults);
    report(summarize({
      broker: cluster.topology, scenario: bounce.scenario, seed, faultsInjected: faults.length, faults: bounce.describe(faults), recoverMs, sent: records.length,
    }, expectation, verdict, { converged: convergence.converged, logRecords: log.length, producerResends: resends, faultDetails: faults, processorAlive: processor.alive }), verdict, intents);

    expect(convergence.converged).toBe(true);
    expect(faults).toHaveLength(bounce.faults);
    expect(processor.alive).toBe(true);
    expectClean(verdict, expectation, observed, records.length, intents);
    expect(processor.errorLines()).toEqual([]);
  } catch (error) {
    keepForPostMortem(stack, processor);
    throw error;
  } finally {
    await processor?.destroy();
    await stack.stop();
  }
}

/** A failed scenario keeps its logs, and says the processor's last warnings where CI shows them. */
export function keepForPostMortem(stack: FaultStack, processor: ServiceProcess | undefined): void {
  stack.keep();
  process.stdout.write(`FAULT-PROCESSOR-WARNINGS ${processor?.name ?? 'none'}\n${(processor?.recentWarnings() ?? []).map((line) => line.slice(0, 600)).join('\n')}\n`);
}

/** The broker leading most partitions of `topic`, and the partitions it leads. */
export async function busiestLeader(cluster: EmbeddedKafkaCluster, topic: string): Promise<{ node: ClusterNode; partitions: number[] }> {
  const leaders = await cluster.leaders(topic);
  const led = (node: ClusterNode) => [...leaders].filter(([, leader]) => leader === node.id).map(([partition]) => partition);
  const node = [...cluster.brokerNodes].sort((a, b) => led(b).length - led(a).length)[0]!;
  return { node, partitions: led(node) };
}

/** Resolves once no partition of `topic` names `node` as its leader: a new leader was elected. */
export async function waitLeadersMoved(cluster: EmbeddedKafkaCluster, topic: string, node: ClusterNode, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const leaders = await cluster.leaders(topic).catch(() => null);
    if (leaders && [...leaders.values()].every((leader) => leader !== node.id && leader >= 0)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`partitions of ${topic} still led by broker ${node.id} (or leaderless) after ${timeoutMs} ms: ${JSON.stringify(leaders && [...leaders])}`);
    await pause(100);
  }
}

/**
 * A node stopped (`stop`), then `whileDown` (what the scenario checks of the cluster without it),
 * away a seeded while more, started again on its log, and the cluster whole again.
 */
export async function bounceNode<T>(stack: FaultStack, node: ClusterNode, stop: () => Promise<void>, whileDown: () => Promise<T>, rnd: () => number): Promise<{ downMs: number; restartMs: number; syncMs: number; whileDown: T; at: string }> {
  const stopped = Date.now();
  const at = new Date(stopped).toISOString();
  await stop();
  expect(node.alive()).toBe(false);
  const seen = await whileDown();
  await pause(Math.round(500 + rnd() * 2500));
  const downMs = Date.now() - stopped;
  await pause(downMs);
  const starting = Date.now();
  await node.start();
  const restartMs = Date.now() - starting;
  await wholeAgain(stack);
  return { downMs, restartMs, syncMs: Date.now() - starting - restartMs, whileDown: seen, at };
}
