import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import type { Admin, Kafka } from 'kafkajs';
import { DLQ_TOPIC_CONFIGS } from '../../dev/stack/broker.ts';
import { jdkAtLeast } from '../../dev/stack/java.ts';
import { allTopics, type Topics } from '../../src/config.ts';
import { connectSerde } from '../../src/schemas/serde.ts';
import { measureLatency, type LatencyResult } from './latency.ts';
import { cpuMicros, machineCpu, peakRssMb, startChild, type Child } from './procs.ts';
import { REPO } from './service.ts';
import { AUDIENCE, ISSUER, PARTITIONS, prefixedTopics, processorTopics, type BenchStack } from './stack.ts';
import { streamsPeerClasspath } from './streams-jar.ts';
import type { Expect, Tokens } from './workload.ts';

/** The peer's own topics, its command topic included: it never reads or writes the service's. */
export const streamsTopics: Topics = prefixedTopics('streams');

const APPLICATION_ID = 'bench-streams-peer';
/**
 * Kafka Streams' default, one stream thread for the 6 partitions' tasks. Two (one per core) could
 * not be told apart from one in alternated quick runs on the shared machine; and under
 * exactly-once each thread has a transaction of its own, whose open records on an output
 * partition hold back the other thread's committed ones from read_committed consumers.
 */
const THREADS = 1;
/**
 * A small heap and the serial collector, as the broker's JVM: RocksDB keeps the state off-heap.
 * RocksDB loads its native library from the classpath, which Java 24 and later warn about unless allowed.
 */
const JVM_FLAGS = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '--enable-native-access=ALL-UNNAMED', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StreamsPeerResult {
  commands: number;
  seconds: number;
  /** From the JVM's spawn to the Streams client RUNNING. */
  startupSeconds: number;
  cmdsPerSecond: number;
  cpuUsPerCmd: number;
  brokerCpuUsPerCmd: number;
  /** At the end of the drain, as the service's peak_rss_mb; and after the latency phases. */
  peakRssMb: number;
  peakRssMbWholeRun: number;
  /** Per output topic: records read back (read_committed), and what the plan expects. */
  counts: Record<string, { actual: number; expected: number }>;
  /** Cores each part took in the drain, and everything else on the shared machine (as the service's phases report them). */
  coresBusy: Cores;
  latency: LatencyResult & { coresBusy: Cores };
  latencyHigh: LatencyResult & { coresBusy: Cores };
  /** Why the phase must fail the bench: counts that differ from the plan, latency outcomes that never came. */
  problems: string[];
}

/**
 * The Kafka Streams peer (bench/streams, docs/performance.md) measured as the service is: it
 * drains a copy of the preloaded commands (timed from RUNNING to its committed offsets reaching
 * the ends), its outcome records are counted against the plan, then its latency is measured at
 * the two rates with measureLatency's consumer method (the watermark method would count the
 * transaction markers exactly-once writes into the topics).
 */
export async function streamsPeer(options: {
  stack: BenchStack; kafka: Kafka; admin: Admin; tokens: Tokens; ends: Map<number, number>; expected: Expect & { messages: number };
  rates: [number, number]; latencySeconds: number; announce: (line: string) => void;
}): Promise<StreamsPeerResult> {
  const { stack, kafka, admin, ends, expected } = options;
  const jdk = jdkAtLeast(17);
  if (!jdk) throw new Error('the Kafka Streams peer needs a JDK >= 17');
  const classpath = await streamsPeerClasspath(options.announce);
  await stack.broker.ensureTopics([streamsTopics.dlq], PARTITIONS, DLQ_TOPIC_CONFIGS);
  await stack.broker.ensureTopics(allTopics(streamsTopics).filter((topic) => topic !== streamsTopics.dlq), PARTITIONS);
  const serde = await connectSerde(stack.registry.url, streamsTopics);
  const outlet = async (topic: string) => `${topic}@${await serde.registry.getLatestSchemaId(`${topic}-value`)}`;
  await copyCommands(kafka, processorTopics.commands, streamsTopics.commands, ends);
  const commands = [...ends.values()].reduce((sum, end) => sum + end, 0);

  const stateDir = join(stack.dir, 'streams-peer');
  mkdirSync(stateDir, { recursive: true });
  let runningAt: number | null = null;
  const spawnedAt = performance.now();
  const child: Child = startChild('streams-peer', [
    ...JVM_FLAGS, '-cp', classpath, 'backoffice.streams.Main',
    `--bootstrap-servers=${stack.broker.brokers.join(',')}`, `--application-id=${APPLICATION_ID}`, `--state-dir=${stateDir}`,
    `--avro-dir=${join(REPO, 'avro')}`, `--threads=${THREADS}`, `--issuer=${ISSUER}`, `--audience=${AUDIENCE}`,
    `--commands=${await outlet(streamsTopics.commands)}`, `--events=${await outlet(streamsTopics.events)}`,
    `--notifications=${await outlet(streamsTopics.notifications)}`, `--dlq=${streamsTopics.dlq}`, `--reviewers=${streamsTopics.reviewersRecipientId}`,
    ...await Promise.all(Object.entries(streamsTopics.listings).map(async ([type, topic]) => `--listings.${type}=${await outlet(topic)}`)),
  ], {
    command: jdk.java,
    env: { AUTH_PUBLIC_KEY: stack.keys.publicKeyPem },
    onLine: (line) => {
      try {
        if (JSON.parse(line).to === 'RUNNING') runningAt ??= performance.now();
      } catch { /* not ours */ }
    },
  });
  try {
    const deadline = performance.now() + 120_000;
    while (runningAt === null) {
      if (child.process.exitCode !== null || performance.now() > deadline) throw new Error(`the Kafka Streams peer did not reach RUNNING:\n${child.tail()}`);
      await sleep(20);
    }
    const t0 = runningAt as number;
    const cpu0 = cpuMicros(child.pid);
    const broker0 = cpuMicros(stack.broker.pid);
    const drainCores = coresMeter(child.pid, stack.broker.pid);
    const drainDeadline = t0 + Math.max(180_000, commands * 10);
    while (!await drained(admin, streamsTopics.commands, ends)) {
      if (child.process.exitCode !== null) throw new Error(`the Kafka Streams peer exited:\n${child.tail()}`);
      if (performance.now() > drainDeadline) throw new Error(`the Kafka Streams peer did not drain ${commands} commands:\n${child.tail()}`);
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuMicros(child.pid) - cpu0;
    const brokerCpu = cpuMicros(stack.broker.pid) - broker0;
    const peakAtDrain = peakRssMb(child.pid);
    const coresBusy = drainCores();

    const wanted: Record<string, number> = {
      [streamsTopics.events]: expected.events, [streamsTopics.notifications]: expected.notifications, [streamsTopics.dlq]: expected.dlq,
    };
    const read = await readBack(kafka, allTopics(streamsTopics).filter((topic) => topic !== streamsTopics.commands), expected.messages);
    // The plan counts listing records over the three topics together.
    const listingTopics: string[] = Object.values(streamsTopics.listings);
    const counts: StreamsPeerResult['counts'] = Object.fromEntries(Object.entries(wanted).map(([topic, count]) => [topic, { actual: read.counts.get(topic) ?? 0, expected: count }]));
    counts['streams.backoffice.listings.*'] = { actual: listingTopics.reduce((sum, topic) => sum + (read.counts.get(topic) ?? 0), 0), expected: expected.listings };
    const problems = Object.entries(counts).filter(([, { actual, expected: want }]) => actual !== want).map(([topic, { actual, expected: want }]) => `${topic}: ${actual} records, the plan expects ${want}`);
    // The outcomes are the service's Avro records, not stand-ins: the first of each topic must decode with its registered schema.
    for (const [topic, value] of read.firsts) {
      if (topic !== streamsTopics.dlq) await serde.decodeAny(value).catch((error: Error) => problems.push(`${topic}: a record does not decode: ${error.message}`));
    }

    const latencyAt = async (rate: number, seed: number) => {
      const cores = coresMeter(child.pid, stack.broker.pid);
      const result = await measureLatency({
        kafka, serde, topics: streamsTopics, tokens: options.tokens, rate, seconds: options.latencySeconds, warmupSeconds: 2, seed, partitions: PARTITIONS, method: 'consumer',
      });
      return { ...result, coresBusy: cores() };
    };
    const latency = await latencyAt(options.rates[0], 4242);
    const latencyHigh = await latencyAt(options.rates[1], 4343);
    for (const result of [latency, latencyHigh]) {
      if (result.missing > 0) problems.push(`latency at ${result.offeredPerSecond}/s: ${result.missing} of ${result.sent} commands' events never arrived`);
    }
    return {
      commands, seconds, startupSeconds: (t0 - spawnedAt) / 1000, cmdsPerSecond: commands / seconds, cpuUsPerCmd: cpu / commands, brokerCpuUsPerCmd: brokerCpu / commands,
      peakRssMb: peakAtDrain, peakRssMbWholeRun: peakRssMb(child.pid), counts, coresBusy, latency, latencyHigh, problems,
    };
  } finally {
    await child.stop();
  }
}

interface Cores { peer: number; broker: number; benchDriver: number; machine: number; otherProcesses: number }

/** Starts counting; the returned function tells the cores each part took since. */
function coresMeter(peerPid: number, brokerPid: number): () => Cores {
  const peer0 = cpuMicros(peerPid);
  const broker0 = cpuMicros(brokerPid);
  const driver0 = process.cpuUsage();
  const machine0 = machineCpu();
  return () => {
    const machine1 = machineCpu();
    const cores = os.cpus().length;
    const seconds = (machine1.total - machine0.total) / 1e6 / cores;
    const driver = process.cpuUsage(driver0);
    const peer = (cpuMicros(peerPid) - peer0) / 1e6 / seconds;
    const broker = (cpuMicros(brokerPid) - broker0) / 1e6 / seconds;
    const benchDriver = (driver.user + driver.system) / 1e6 / seconds;
    const machine = ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * cores;
    const two = (value: number) => Math.round(value * 100) / 100;
    return { peer: two(peer), broker: two(broker), benchDriver: two(benchDriver), machine: two(machine), otherProcesses: two(machine - peer - broker - benchDriver) };
  };
}

/**
 * The service's preloaded records, byte for byte, on the peer's command topic, each in its own
 * partition and with its original timestamp: the peer's topic keeps producer time (CreateTime)
 * so that decisions are judged, as the service judged them, at the instant the broker appended
 * the original record (a copy stamped now would find the tokens' issuedAt minutes old).
 */
async function copyCommands(kafka: Kafka, from: string, to: string, ends: Map<number, number>): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-streams-copy-${randomUUID()}` });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    const copied = new Map([...ends.keys()].map((partition) => [partition, 0]));
    const complete = () => [...ends].every(([partition, end]) => copied.get(partition)! >= end);
    await consumer.subscribe({ topic: from, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition) ?? 0;
        const messages = batch.messages.filter((message) => Number(message.offset) < end)
          .map((message) => ({ key: message.key, value: message.value, timestamp: message.timestamp, partition: batch.partition }));
        // Slices: one fetched batch (up to 1 MB a partition) is more than one produced record
        // batch may carry (the broker's message.max.bytes).
        for (let index = 0; index < messages.length; index += 500) await producer.send({ topic: to, acks: -1, messages: messages.slice(index, index + 500) });
        copied.set(batch.partition, (copied.get(batch.partition) ?? 0) + messages.length);
      },
    });
    const deadline = performance.now() + 120_000;
    while (!complete()) {
      if (performance.now() > deadline) throw new Error(`copying ${from} to ${to} did not finish: ${JSON.stringify(Object.fromEntries(copied))}`);
      await sleep(50);
    }
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}

/** Whether the peer's committed offsets (committed with its outputs, in one transaction) reached the ends. */
async function drained(admin: Admin, topic: string, ends: Map<number, number>): Promise<boolean> {
  const [offsets] = await admin.fetchOffsets({ groupId: APPLICATION_ID, topics: [topic] });
  const committed = new Map(offsets!.partitions.map(({ partition, offset }) => [partition, Number(offset)]));
  return [...ends].every(([partition, end]) => end === 0 || (committed.get(partition) ?? -1) >= end);
}

/**
 * How many records the topics hold as a read_committed consumer sees them (high watermarks would
 * count transaction markers too), and the first value read from each: read until `atLeast`
 * arrived, then a little longer, so that a surplus shows.
 */
async function readBack(kafka: Kafka, topics: string[], atLeast: number): Promise<{ counts: Map<string, number>; firsts: Map<string, Buffer> }> {
  const consumer = kafka.consumer({ groupId: `bench-streams-count-${randomUUID()}`, readUncommitted: false });
  const counts = new Map(topics.map((topic) => [topic, 0]));
  const firsts = new Map<string, Buffer>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        counts.set(batch.topic, counts.get(batch.topic)! + batch.messages.length);
        const value = batch.messages[0]?.value;
        if (value && !firsts.has(batch.topic)) firsts.set(batch.topic, value);
      },
    });
    const total = () => [...counts.values()].reduce((sum, count) => sum + count, 0);
    const deadline = performance.now() + 60_000;
    while (total() < atLeast && performance.now() < deadline) await sleep(100);
    await sleep(2000);
    return { counts, firsts };
  } finally {
    await consumer.disconnect();
  }
}
