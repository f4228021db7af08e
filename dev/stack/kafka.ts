import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { EmbeddedBroker } from './broker.ts';
import { kafkaSecurity, saslClient, scramFormatArgs, securedProperties, type KafkaSecurity } from './kafka-security.ts';
import { cacheDir, fetchOnce, jdkAtLeast, pomDir } from './java.ts';
import { spawnJvm, type Jvm } from './jvm.ts';
import { freePort, listensOn, onFreePort } from './ports.ts';

export const DEFAULT_KAFKA_VERSION = '4.4.0';

export interface KafkaOptions {
  /** Data directory: formatted on first use, reused on the next start (a restart keeps the log). */
  dir: string;
  version?: string;
  port?: number;
  /** Default partitions for topics created without a count. */
  partitions?: number;
  /** -Xmx of the broker's JVM; KAFKA_HEAP_OPTS overrides it as it does for kafka-server-start.sh. */
  heap?: string;
  /** A SASL_SSL node with the authorizer on, its users and certificates made in `dir` (kafka-security.ts). */
  secured?: boolean;
  announce?: (line: string) => void;
}

/** How the embedded tooling's own clients (readiness, warm-up, topics) reach the node: as admin when it is secured. */
export type Access = Pick<KafkaConfig, 'ssl' | 'sasl'>;

export interface EmbeddedKafka extends EmbeddedBroker {
  kind: 'apache-kafka';
  version: string;
  /** The node's data directory, to start it again on the same log. */
  dir: string;
  /** SIGKILL, as a crash would: no controlled shutdown. */
  kill(): Promise<void>;
  /** Only on a secured node: its users, passwords, certificates and mutual-TLS port. */
  security: KafkaSecurity | null;
}

/** The broker's jars, fetched by Maven from Maven Central into the cache on first use. */
export async function kafkaLibs(version: string, announce: (line: string) => void = () => {}): Promise<string> {
  return fetchOnce(join(cacheDir(), `kafka-${version}`), pomDir('kafka'), 'dependency:copy-dependencies',
    { 'kafka.version': version, includeScope: 'runtime' }, announce);
}

/**
 * A single KRaft node, broker and controller in one JVM. Settings for a test machine: internal
 * topics of one partition and one replica, no initial rebalance delay, no topic created by
 * accident (a misspelt topic fails instead of appearing).
 */
function serverProperties(dir: string, port: number, controllerPort: number, partitions: number, security: KafkaSecurity | null): string {
  return Object.entries({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dir, 'log'),
    'num.partitions': partitions,
    'auto.create.topics.enable': false,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'num.io.threads': 4,
    'num.network.threads': 2,
    ...(security ? securedProperties(security, port, controllerPort) : {}),
  }).map(([key, value]) => `${key}=${value}`).join('\n') + '\n';
}

const ADMIN_RETRY = { retries: 0 };

/** Ready means a real metadata request answered, not merely an open port. */
async function waitForMetadata(brokers: string[], timeoutMs: number, exited: () => string | null, access: Access): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = exited();
    if (failure) throw new Error(failure);
    const admin = new Kafka({ brokers, ...access, clientId: 'embedded-ready', logLevel: logLevel.NOTHING, retry: ADMIN_RETRY, connectionTimeout: 1000 }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch {
      // Not up yet.
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`Apache Kafka answered no metadata request within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Kafka creates its offsets and transaction-state topics on first use; until then every consumer
 * and idempotent producer is told the coordinator is loading or not available, and kafkajs logs
 * each answer as an error. Used once here, both coordinators are up before the service starts.
 */
export async function warmCoordinators(brokers: string[], timeoutMs: number, access: Access): Promise<void> {
  const kafka = new Kafka({ brokers, ...access, clientId: 'embedded-warmup', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const producer = kafka.producer({ idempotent: true, retry: { retries: 1 } });
      const ready = await admin.fetchOffsets({ groupId: 'embedded-warmup', topics: [] })
        .then(() => producer.connect())
        .then(() => true, () => false)
        .finally(() => producer.disconnect());
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`Apache Kafka's group and transaction coordinators did not come up within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(brokers: string[], topics: string[], partitions: number, configs: Record<string, string> = {}, access: Access = {}): Promise<void> {
  const admin = new Kafka({ brokers, ...access, clientId: 'embedded-topics', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    // Not kafkajs's waitForLeaders: it gives up on UNKNOWN_TOPIC_OR_PARTITION, which the broker
    // answers until its metadata cache has caught up with the controller.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({
        topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      })),
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const led = await admin.fetchTopicMetadata({ topics: missing }).then(
        (metadata) => metadata.topics.every((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0)),
        () => false,
      );
      if (led) return;
      if (Date.now() > deadline) throw new Error(`topics have no leader after 30 s: ${missing.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Kafka's cluster id: 16 random bytes in URL-safe base64 without padding, as `kafka-storage.sh
 * random-uuid` prints. One in 64 starts with `-`, which the storage tool would take for an option
 * unless it is passed as `--cluster-id=<id>`.
 */
export const clusterId = () => randomBytes(16).toString('base64url');

/** The flags of every Kafka JVM here, the storage tool's included: a small test machine's. */
export const KAFKA_JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];

/** One JVM start of the node on `port`; rejects, with the JVM gone, if it does not get ready. */
async function launch(java: string, args: string[], brokers: string[], port: number, access: Access): Promise<Jvm> {
  const jvm = spawnJvm('Apache Kafka', java, args);
  try {
    await waitForMetadata(brokers, 90_000, jvm.exited, access);
    await warmCoordinators(brokers, 60_000, access);
    // Another run's broker may hold the port: ready only once our own JVM is the one listening.
    const deadline = Date.now() + 5000;
    while (!listensOn(jvm.pid, port)) {
      if (jvm.exited() || Date.now() > deadline) throw new Error(jvm.exited() ?? `port ${port} answers, but not from our Kafka (pid ${jvm.pid})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await jvm.kill();
    throw error;
  }
  return jvm;
}

export async function startKafka(options: KafkaOptions): Promise<EmbeddedKafka> {
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  const announce = options.announce ?? (() => {});
  const jdk = jdkAtLeast(17);
  if (!jdk) throw new Error('Apache Kafka needs a JDK >= 17; none was found (JAVA_HOME, PATH, /usr/lib/jvm)');
  const libs = await kafkaLibs(version, announce);
  const classpath = join(libs, '*');
  mkdirSync(options.dir, { recursive: true });
  const properties = join(options.dir, 'server.properties');
  const jvm = KAFKA_JVM_FLAGS;
  const heap = (process.env.KAFKA_HEAP_OPTS ?? `-Xms64m -Xmx${options.heap ?? '512m'}`).split(/\s+/).filter(Boolean);
  const security = options.secured ? await kafkaSecurity(options.dir) : null;
  const access: Access = security ? saslClient(security, 'admin') : {};
  // A secured node's certificate names localhost; a plaintext one is reached by address.
  const brokersAt = (port: number) => [`${security ? 'localhost' : '127.0.0.1'}:${port}`];
  const { node, port } = await onFreePort(options.port, async (port) => {
    writeFileSync(properties, serverProperties(options.dir, port, await freePort(), options.partitions ?? 1, security));
    if (!existsSync(join(options.dir, 'log', 'meta.properties'))) {
      await promisify(execFile)(jdk.java, [...jvm, '-XX:TieredStopAtLevel=1', '-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId()}`, '-c', properties,
        ...(security ? scramFormatArgs(security) : [])], { timeout: 60_000 });
    }
    return { node: await launch(jdk.java, [...heap, ...jvm, '-cp', classpath, 'kafka.Kafka', properties], brokersAt(port), port, access), port };
  });
  const brokers = brokersAt(port);

  return {
    kind: 'apache-kafka',
    label: `apache-kafka ${version}${security ? ' sasl_ssl' : ''}`,
    version,
    dir: options.dir,
    brokers,
    port,
    pid: node.pid,
    exitReason: node.exited,
    stderrTail: node.output,
    ensureTopics: (topics, partitions, configs) => createTopics(brokers, topics, partitions, configs, access),
    kill: () => node.kill(),
    security,
    // A controlled shutdown of a single node takes a second or two; never hang on it.
    stop: () => node.stop(20_000),
  };
}
