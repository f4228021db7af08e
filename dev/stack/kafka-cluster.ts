import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { EmbeddedBroker } from './broker.ts';
import { jdkAtLeast } from './java.ts';
import { spawnJvm, type Jvm } from './jvm.ts';
import { clusterId, createTopics, DEFAULT_KAFKA_VERSION, KAFKA_JVM_FLAGS, kafkaLibs, warmCoordinators, type Access } from './kafka.ts';
import { kafkaSecurity, saslClient, scramFormatArgs, securedBrokerProperties, securedControllerProperties, type KafkaSecurity } from './kafka-security.ts';
import { freePort, listensOn } from './ports.ts';

/**
 * What the replicated cluster promises every topic, internal ones included: three replicas, two
 * of them in sync before a write is acknowledged, and no out-of-sync replica ever made leader.
 */
export const REPLICATION = { replicas: 3, minInsync: 2 } as const;

export interface ClusterOptions {
  dir: string;
  version?: string;
  /** Default partitions for topics created without a count. */
  partitions?: number;
  /** Where each node's port comes from (the fault suites take theirs from the kernel's range). */
  port?: () => Promise<number>;
  announce?: (line: string) => void;
}

/** One JVM of the cluster: a broker or a controller, started again on its own log and port. */
export interface ClusterNode {
  id: number;
  role: 'broker' | 'controller';
  /** The broker's client port, or the controller's quorum port. */
  port: number;
  dir: string;
  pid(): number;
  alive(): boolean;
  exitReason(): string | null;
  stderrTail(): string;
  /** SIGKILL, as a crash would: no controlled shutdown. */
  kill(): Promise<void>;
  /** SIGTERM, as a rolling restart does: a broker hands its leaderships over before it exits. */
  terminate(): Promise<void>;
  /** Starts it again on its log; resolves once it serves again. */
  start(): Promise<void>;
}

export interface EmbeddedKafkaCluster extends EmbeddedBroker {
  kind: 'apache-kafka';
  version: string;
  /** For results: `apache-kafka 4.4.0 x3 rf=3 min.isr=2 sasl_ssl`. */
  topology: string;
  /** Its users, passwords and certificates: every client reaches it over SASL_SSL. */
  security: KafkaSecurity;
  brokerNodes: ClusterNode[];
  controllerNodes: ClusterNode[];
  /** The node id of the active (quorum leader) controller, from the controllers' quorum state. */
  activeController(): number | null;
  /** The leader broker of each partition of `topic`, as the cluster's metadata says. */
  leaders(topic: string): Promise<Map<number, number>>;
  /** Resolves once every partition of `topics` has all its replicas in sync again. */
  waitInSync(topics: string[], timeoutMs: number): Promise<void>;
}

const BROKER_IDS = [1, 2, 3];
const CONTROLLER_IDS = [101, 102, 103];

type NodeSettings = Record<string, string | number | boolean>;

const propertiesText = (settings: NodeSettings): string =>
  Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n') + '\n';

/** How a node's JVM starts: the JDK, Kafka's jars, and its command line for a properties file. */
interface KafkaRuntime {
  java: string;
  server(properties: string, heap: string): string[];
  /** What `kafka-storage.sh format` does, with `extra` arguments. */
  format(properties: string, id: string, extra: string[]): Promise<void>;
}

async function kafkaRuntime(version: string, announce: (line: string) => void): Promise<KafkaRuntime> {
  const jdk = jdkAtLeast(17);
  if (!jdk) throw new Error('Apache Kafka needs a JDK >= 17; none was found (JAVA_HOME, PATH, /usr/lib/jvm)');
  const classpath = join(await kafkaLibs(version, announce), '*');
  return {
    java: jdk.java,
    server: (properties, heap) => [
      ...(process.env.KAFKA_HEAP_OPTS ?? `-Xms64m -Xmx${heap}`).split(/\s+/).filter(Boolean), ...KAFKA_JVM_FLAGS, '-cp', classpath, 'kafka.Kafka', properties,
    ],
    async format(properties, id, extra) {
      await promisify(execFile)(jdk.java, [...KAFKA_JVM_FLAGS, '-XX:TieredStopAtLevel=1', '-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${id}`, '-c', properties, ...extra], { timeout: 60_000 });
    },
  };
}

/**
 * Settings every node of the cluster shares. Failure detection is quicker than Kafka's defaults
 * (a broker silent for 6 s is fenced rather than 9 s; a follower behind for 10 s leaves the ISR
 * rather than 30 s), so that a test sees a failover in seconds; the rules are production's.
 */
function sharedSettings(voters: string, partitions: number): NodeSettings {
  return {
    'controller.quorum.voters': voters,
    'controller.listener.names': 'CONTROLLER',
    'num.partitions': partitions,
    'default.replication.factor': REPLICATION.replicas,
    'min.insync.replicas': REPLICATION.minInsync,
    'unclean.leader.election.enable': false,
    'auto.create.topics.enable': false,
    'offsets.topic.replication.factor': REPLICATION.replicas,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': REPLICATION.replicas,
    'transaction.state.log.min.isr': REPLICATION.minInsync,
    'transaction.state.log.num.partitions': 3,
    'share.coordinator.state.topic.replication.factor': REPLICATION.replicas,
    'share.coordinator.state.topic.min.isr': REPLICATION.minInsync,
    'broker.session.timeout.ms': 6000,
    'broker.heartbeat.interval.ms': 1000,
    'replica.lag.time.max.ms': 10_000,
    'group.initial.rebalance.delay.ms': 0,
    'num.io.threads': 2,
    'num.network.threads': 2,
    'num.replica.fetchers': 1,
    'background.threads': 2,
  };
}

const brokerSettings = (security: KafkaSecurity, id: number, dir: string, port: number): NodeSettings =>
  ({ 'process.roles': 'broker', 'node.id': id, ...securedBrokerProperties(security, port), 'log.dirs': join(dir, 'log') });

const controllerSettings = (security: KafkaSecurity, id: number, dir: string, port: number): NodeSettings =>
  ({ 'process.roles': 'controller', 'node.id': id, ...securedControllerProperties(security, port), 'log.dirs': join(dir, 'log') });

/** The certificates name localhost. */
const address = (port: number) => `localhost:${port}`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function admin(brokers: string[], access: Access): Admin {
  return new Kafka({ brokers, ...access, clientId: 'embedded-cluster', logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
}

async function withAdmin<T>(brokers: string[], access: Access, use: (client: Admin) => Promise<T>): Promise<T> {
  const client = admin(brokers, access);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.disconnect().catch(() => {});
  }
}

/** Until `check` holds (a falsy answer or a throw is "not yet"), or `what` times out. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, abort: () => string | null = () => null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = abort();
    if (failure) throw new Error(failure);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await pause(100);
  }
}

/**
 * A node JVM under our hand. `ready` is how its role says it serves: a controller listens on its
 * quorum port, a broker answers metadata naming itself (it registers and catches up with the
 * metadata log before it opens its client listener).
 */
function clusterNode(runtime: KafkaRuntime, access: Access, spec: { id: number; role: 'broker' | 'controller'; dir: string; port: number; heap: string }): ClusterNode & { launch(): Promise<void> } {
  const properties = join(spec.dir, 'server.properties');
  let jvm: Jvm | null = null;
  const ready = async (node: Jvm) => {
    await until(`${spec.role} ${spec.id} (pid ${node.pid}) did not listen on ${spec.port}`, 90_000, async () => listensOn(node.pid, spec.port), node.exited);
    if (spec.role === 'controller') return;
    await until(`broker ${spec.id} did not answer metadata`, 90_000,
      () => withAdmin([address(spec.port)], access, async (client) => (await client.describeCluster()).brokers.some((broker) => broker.nodeId === spec.id)), node.exited);
  };
  return {
    id: spec.id, role: spec.role, port: spec.port, dir: spec.dir,
    pid: () => jvm?.pid ?? 0,
    alive: () => jvm !== null && jvm.exited() === null,
    exitReason: () => jvm?.exited() ?? 'not started',
    stderrTail: () => jvm?.output() ?? '',
    // Only spawns: a broker of a fresh cluster cannot be ready before the others are up.
    async launch() {
      jvm = spawnJvm(`Kafka ${spec.role} ${spec.id}`, runtime.java, runtime.server(properties, spec.heap));
    },
    async start() {
      if (jvm && jvm.exited() === null) throw new Error(`${spec.role} ${spec.id} is still running (pid ${jvm.pid})`);
      const node = spawnJvm(`Kafka ${spec.role} ${spec.id}`, runtime.java, runtime.server(properties, spec.heap));
      jvm = node;
      try {
        await ready(node);
      } catch (error) {
        await node.kill();
        throw error;
      }
    },
    kill: async () => { await jvm?.kill(); },
    // A controlled shutdown moves leaderships first; on a loaded machine it may take a while.
    terminate: async () => { await jvm?.stop(60_000); },
  };
}

/** The quorum state a controller last wrote (leader and epoch), or null before its first election. */
function quorumState(dir: string): { leaderId: number; leaderEpoch: number } | null {
  const file = join(dir, 'log', '__cluster_metadata-0', 'quorum-state');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { leaderId: number; leaderEpoch: number };
  } catch {
    return null;
  }
}

/**
 * Three brokers and a quorum of three controllers, each a JVM of its own, every topic with three
 * replicas and `min.insync.replicas=2`. Controllers apart from the brokers, as production
 * clusters run them: with combined nodes, two brokers down would take two of three voters with
 * them, and with no quorum the ISR could not shrink, so a write would time out instead of being
 * refused with NOT_ENOUGH_REPLICAS (and the loss of the active controller would always be the
 * loss of a broker too). Secured as production clusters are (kafka-security.ts): clients and
 * replication on SASL_SSL with SCRAM users, the controllers on SASL_PLAINTEXT, and the authorizer
 * denying whatever no ACL allows.
 */
export async function startKafkaCluster(options: ClusterOptions): Promise<EmbeddedKafkaCluster> {
  const version = options.version ?? DEFAULT_KAFKA_VERSION;
  const runtime = await kafkaRuntime(version, options.announce ?? (() => {}));
  const security = await kafkaSecurity(options.dir);
  const access = saslClient(security, 'admin');
  const port = options.port ?? freePort;
  const controllerPorts = await Promise.all(CONTROLLER_IDS.map(() => port()));
  const brokerPorts = await Promise.all(BROKER_IDS.map(() => port()));
  const voters = CONTROLLER_IDS.map((id, index) => `${id}@127.0.0.1:${controllerPorts[index]}`).join(',');
  const shared = sharedSettings(voters, options.partitions ?? 1);
  const id = clusterId();
  const specs = [
    ...CONTROLLER_IDS.map((node, index) => ({ id: node, role: 'controller' as const, port: controllerPorts[index]!, heap: '192m', settings: controllerSettings })),
    ...BROKER_IDS.map((node, index) => ({ id: node, role: 'broker' as const, port: brokerPorts[index]!, heap: '384m', settings: brokerSettings })),
  ];
  const nodes = await Promise.all(specs.map(async (spec) => {
    const dir = join(options.dir, `${spec.role}-${spec.id}`);
    mkdirSync(dir, { recursive: true });
    const properties = join(dir, 'server.properties');
    writeFileSync(properties, propertiesText({ ...shared, ...spec.settings(security, spec.id, dir, spec.port) }));
    // The SCRAM users go into the bootstrap metadata of every node; the first active controller writes them.
    if (!existsSync(join(dir, 'log', 'meta.properties'))) await runtime.format(properties, id, scramFormatArgs(security));
    return clusterNode(runtime, access, { ...spec, dir });
  }));
  const brokers = brokerPorts.map(address);
  const brokerNodes = nodes.filter((node) => node.role === 'broker');
  const controllerNodes = nodes.filter((node) => node.role === 'controller');
  const stopAll = async () => {
    await Promise.all(brokerNodes.map((node) => node.terminate()));
    await Promise.all(controllerNodes.map((node) => node.terminate()));
  };
  const aliveBrokers = () => brokerNodes.filter((node) => node.alive()).map((node) => address(node.port));
  try {
    await Promise.all(nodes.map((node) => node.launch()));
    const died = () => nodes.map((node) => (node.alive() ? null : node.exitReason())).find(Boolean) ?? null;
    await until(`the ${BROKER_IDS.length} brokers did not all answer metadata`, 120_000,
      () => withAdmin(brokers, access, async (client) => (await client.describeCluster()).brokers.length === BROKER_IDS.length), died);
    for (const node of nodes) await until(`${node.role} ${node.id} did not listen on ${node.port}`, 30_000, async () => listensOn(node.pid(), node.port), died);
    await warmCoordinators(brokers, 90_000, access);
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    throw error;
  }

  const topology = `apache-kafka ${version} x${BROKER_IDS.length} rf=${REPLICATION.replicas} min.isr=${REPLICATION.minInsync} sasl_ssl`;
  return {
    kind: 'apache-kafka',
    label: topology,
    topology,
    version,
    brokers,
    port: brokerPorts[0]!,
    get pid() { return brokerNodes[0]!.pid(); },
    security,
    brokerNodes,
    controllerNodes,
    exitReason: () => {
      const gone = nodes.filter((node) => !node.alive());
      return gone.length === nodes.length ? gone.map((node) => node.exitReason()).join('\n') : null;
    },
    stderrTail: () => nodes.map((node) => `--- ${node.role} ${node.id}\n${node.stderrTail()}`).join('\n'),
    ensureTopics: (topics, partitions, configs) => createTopics(aliveBrokers(), topics, partitions, configs, access),
    activeController() {
      const states = controllerNodes.filter((node) => node.alive()).map((node) => quorumState(node.dir)).filter((state) => state !== null && state.leaderId >= 0);
      const latest = states.sort((a, b) => b!.leaderEpoch - a!.leaderEpoch)[0];
      return latest?.leaderId ?? null;
    },
    leaders: (topic) => withAdmin(aliveBrokers(), access, async (client) => {
      const metadata = await client.fetchTopicMetadata({ topics: [topic] });
      return new Map(metadata.topics[0]!.partitions.map((partition) => [partition.partitionId, partition.leader]));
    }),
    waitInSync: (topics, timeoutMs) => until(`replicas of ${topics.join(', ')} not all in sync`, timeoutMs,
      () => withAdmin(aliveBrokers(), access, async (client) => (await client.fetchTopicMetadata({ topics })).topics
        .every((topic) => topic.partitions.every((partition) => partition.isr.length === partition.replicas.length)))),
    stop: stopAll,
  };
}
