import { randomBytes } from 'node:crypto';
import { configSchema, loadConfig, topicsOf, type Topics } from '../../src/config.ts';
import { COMMAND_TOPIC_CONFIGS, DLQ_TOPIC_CONFIGS, MOKAPI_ENV, type EmbeddedBroker } from '../../dev/stack/broker.ts';
import { createTopics } from '../../dev/stack/kafka.ts';
import { startMokapi } from '../../dev/stack/mokapi.ts';
import { startRegistry } from '../../dev/registry/server.ts';
import { join } from 'node:path';

/**
 * The run's broker and registry, started once by globalSetup and shared by every suite that does
 * not kill them: Apache Kafka creates topics at run time, so each suite works on topics and a
 * consumer group of its own. On the go-mokapi fallback (no JDK or Maven) each suite starts its
 * own broker and development registry instead, since that broker serves only declared topics.
 */
export interface SuiteBroker {
  broker: EmbeddedBroker;
  registryUrl: string;
  /** TOPIC_* settings of the suite's own topics, plus broker-specific settings (go-mokapi's quirks). */
  env: Record<string, string>;
  topics: Topics;
  stop(): Promise<void>;
}

/** Settings naming each topic with the suite's prefix, so suites on one broker never meet. */
function prefixedTopicEnv(prefix: string): Record<string, string> {
  const names = Object.keys(configSchema.shape).filter((name) => name.startsWith('TOPIC_'));
  const defaults = loadConfig({}) as Record<string, unknown>;
  return Object.fromEntries(names.map((name) => [name, `${prefix}.${String(defaults[name])}`]));
}

/** The TOPIC_* settings of a config, for a child process (the service, the CLI) on the same topics. */
export const topicEnvOf = (config: object): Record<string, string> =>
  Object.fromEntries(Object.entries(config).filter(([name]) => name.startsWith('TOPIC_')).map(([name, value]) => [name, String(value)]));

/** The shared Apache Kafka, described from what globalSetup exported. */
export function sharedKafka(): EmbeddedBroker | null {
  const brokers = process.env.TEST_KAFKA_BROKERS;
  if (!brokers) return null;
  const list = brokers.split(',');
  return {
    kind: 'apache-kafka',
    label: process.env.TEST_BROKER_LABEL ?? 'apache-kafka',
    brokers: list,
    port: Number(list[0]!.split(':')[1]),
    pid: Number(process.env.TEST_KAFKA_PID),
    exitReason: () => null,
    stderrTail: () => '',
    ensureTopics: (topics, partitions, configs) => createTopics(list, topics, partitions, configs),
    // The run's broker outlives every suite; globalTeardown stops it.
    stop: async () => {},
  };
}

/** The suite's topics on a Kafka broker, with the settings the service expects of each. */
export async function createSuiteTopics(broker: EmbeddedBroker, topics: Topics, partitions: number): Promise<void> {
  await broker.ensureTopics([topics.commands], partitions, COMMAND_TOPIC_CONFIGS);
  await broker.ensureTopics([topics.dlq], partitions, DLQ_TOPIC_CONFIGS);
  await broker.ensureTopics([topics.events, ...Object.values(topics.listings), topics.notifications], partitions);
}

/**
 * `broker`: a Kafka of the suite's own (the replicated cluster) instead of the run's node; the
 * suite owns it and stops it, and shares the run's registry.
 */
export async function suiteBroker(options: { dir: string; partitions: number; broker?: EmbeddedBroker }): Promise<SuiteBroker> {
  const shared = options.broker ?? sharedKafka();
  if (shared) {
    const env = prefixedTopicEnv(`s${randomBytes(5).toString('hex')}`);
    const topics = topicsOf(loadConfig(env));
    await createSuiteTopics(shared, topics, options.partitions);
    return { broker: shared, registryUrl: process.env.TEST_REGISTRY_URL!, env, topics, stop: async () => {} };
  }
  const topics = topicsOf(loadConfig({}));
  const broker = await startMokapi({ dir: options.dir, topics: [topics.commands, topics.events, ...Object.values(topics.listings), topics.notifications, topics.dlq], partitions: options.partitions });
  const registry = await startRegistry({ port: 0, file: join(options.dir, 'registry.json') });
  return {
    broker, registryUrl: registry.url, env: { ...MOKAPI_ENV }, topics,
    async stop() {
      await registry.close();
      await broker.stop();
    },
  };
}
