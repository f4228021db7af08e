import { join } from 'node:path';
import { startRegistry } from '../registry/server.ts';
import { apicurioJdk, DEFAULT_APICURIO_VERSION, startApicurio } from './apicurio.ts';
import { COMMAND_TOPIC_CONFIGS, DLQ_TOPIC_CONFIGS, type EmbeddedBroker } from './broker.ts';
import { findMaven, jdkAtLeast } from './java.ts';
import { DEFAULT_KAFKA_VERSION, startKafka } from './kafka.ts';
import { startMokapi } from './mokapi.ts';

export type StackSetting = 'auto' | 'kafka' | 'mokapi';

export interface StackChoice {
  broker: 'apache-kafka' | 'go-mokapi';
  /** Why the fallback was taken; null when Apache Kafka runs. */
  fallbackReason: string | null;
  kafkaVersion: string;
  apicurioVersion: string;
}

export interface EmbeddedRegistry {
  label: string;
  url: string;
  stop(): Promise<void>;
}

/** What is missing for Apache Kafka on this machine, or null when it can run. */
function kafkaMissing(): string | null {
  const missing = [jdkAtLeast(17) ? null : 'a JDK >= 17', findMaven() ? null : 'Maven (mvn)'].filter(Boolean);
  return missing.length ? `${missing.join(' and ')} not found` : null;
}

/**
 * Apache Kafka whenever a JDK >= 17 and Maven are found, go-mokapi otherwise; EMBEDDED_STACK
 * forces either. Forcing `kafka` on a machine that cannot run it fails here, with what is
 * missing, rather than quietly falling back.
 */
export function chooseStack(env: Record<string, string | undefined> = process.env): StackChoice {
  const setting = (env.EMBEDDED_STACK || 'auto') as StackSetting;
  if (!['auto', 'kafka', 'mokapi'].includes(setting)) throw new Error(`EMBEDDED_STACK must be auto, kafka or mokapi (got "${setting}")`);
  const versions = { kafkaVersion: env.EMBEDDED_KAFKA_VERSION || DEFAULT_KAFKA_VERSION, apicurioVersion: env.EMBEDDED_APICURIO_VERSION || DEFAULT_APICURIO_VERSION };
  if (setting === 'mokapi') return { broker: 'go-mokapi', fallbackReason: 'EMBEDDED_STACK=mokapi', ...versions };
  const missing = kafkaMissing();
  if (!missing) return { broker: 'apache-kafka', fallbackReason: null, ...versions };
  if (setting === 'kafka') throw new Error(`EMBEDDED_STACK=kafka, but Apache Kafka cannot start here: ${missing}`);
  return { broker: 'go-mokapi', fallbackReason: missing, ...versions };
}

/** The one line that says which stack runs, and on the fallback what is missing. */
export function describeChoice(choice: StackChoice): string {
  return choice.broker === 'apache-kafka'
    ? `embedded stack: Apache Kafka ${choice.kafkaVersion} (KRaft, one node, replication factor 1; the three-broker cluster runs only in the fault suites)`
    : `embedded stack: go-mokapi fallback broker and the development registry (${choice.fallbackReason}; install a JDK >= 17 and Maven for Apache Kafka)`;
}

/** `topics` created on the broker, the command and DLQ topics among them with their settings. */
export async function ensureServiceTopics(broker: EmbeddedBroker, options: { topics: string[]; commandTopic: string; dlqTopic: string; partitions: number }): Promise<void> {
  await broker.ensureTopics([options.commandTopic], options.partitions, COMMAND_TOPIC_CONFIGS);
  await broker.ensureTopics([options.dlqTopic], options.partitions, DLQ_TOPIC_CONFIGS);
  await broker.ensureTopics(options.topics.filter((topic) => topic !== options.commandTopic && topic !== options.dlqTopic), options.partitions);
}

/** The chosen broker, started with `topics` created (the command and DLQ topics with their settings). */
export async function startChosenBroker(choice: StackChoice, options: {
  dir: string; topics: string[]; commandTopic: string; dlqTopic: string; partitions: number; port?: number; announce?: (line: string) => void;
}): Promise<EmbeddedBroker> {
  if (choice.broker === 'go-mokapi') return startMokapi({ dir: options.dir, topics: options.topics, partitions: options.partitions, port: options.port });
  const kafka = await startKafka({ dir: options.dir, version: choice.kafkaVersion, port: options.port, partitions: options.partitions, announce: options.announce });
  try {
    await ensureServiceTopics(kafka, options);
  } catch (error) {
    await kafka.stop();
    throw error;
  }
  return kafka;
}

/**
 * Apicurio Registry alongside Apache Kafka; the development registry on the go-mokapi fallback,
 * or when Apicurio cannot run here (no Java 21), announced with the exact reason.
 */
export async function startChosenRegistry(choice: StackChoice, options: {
  dir: string; port?: number; announce: (line: string) => void;
}): Promise<EmbeddedRegistry> {
  if (choice.broker === 'apache-kafka') {
    const jdk = apicurioJdk();
    if (typeof jdk !== 'string') {
      const apicurio = await startApicurio({ port: options.port, version: choice.apicurioVersion, announce: options.announce });
      return { label: apicurio.label, url: apicurio.url, stop: apicurio.stop };
    }
    options.announce(`development schema registry instead of Apicurio: ${jdk}`);
  }
  const registry = await startRegistry({ port: options.port ?? 0, file: join(options.dir, 'registry.json') });
  return { label: 'development registry', url: registry.url, stop: () => registry.close() };
}
