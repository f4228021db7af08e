import { setTimeout } from 'node:timers/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig, topicsOf, type ServiceConfig, type Topics } from '../../../src/config.ts';
import type { EmbeddedBroker } from '../../../dev/stack/broker.ts';
import { startKafka, type EmbeddedKafka } from '../../../dev/stack/kafka.ts';
import type { EmbeddedKafkaCluster } from '../../../dev/stack/kafka-cluster.ts';
import { chooseStack } from '../../../dev/stack/choose.ts';
import { devKeys, type DevKeys } from '../../../dev/stack/keys.ts';
import { osPort } from './ports.ts';
import { startPostgres, type EmbeddedDatabase } from '../../../dev/stack/postgres.ts';
import { createSuiteTopics, sharedKafka, suiteBroker } from '../shared-stack.ts';
import { migrate } from '../../../src/store/migrate.ts';
import { mintToken, type Role } from '../../../src/auth/tokens.ts';
import { connectSerde, type Serde } from '../../../src/schemas/serde.ts';
import { serviceAcls } from '../../../src/kafka-acls.ts';
import { grantAcls, saslClient, saslEnv } from '../../../dev/stack/kafka-security.ts';

/**
 * A fault scenario's own real stack: topics and a consumer group of its own on the run's
 * Apache Kafka (or, with `ownBroker`, a Kafka node of its own that the scenario may kill and
 * start again on its log), the run's registry, signing keys and a fresh migrated database,
 * either on the run's shared PostgreSQL server or on a server of its own that the scenario may
 * stop and start (same data directory, same port). On the go-mokapi fallback every stack has a
 * broker of its own, as that broker serves only the topics declared at its start.
 */
export interface FaultStack {
  dir: string;
  config: ServiceConfig;
  topics: Topics;
  broker: EmbeddedBroker;
  keys: DevKeys;
  serde: Serde;
  /** kafkajs client for the test's own producers and readers: always straight to the broker (on the cluster as its super user). */
  kafka: Kafka;
  /** Queries on a fresh connection each time, so they work across a database restart. */
  query<T extends pg.QueryResultRow = Record<string, any>>(text: string, values?: unknown[]): Promise<T[]>;
  token(role: Role, subject: string, options?: { expiresInSeconds?: number; issuedAt?: Date }): Promise<string>;
  /** Only with `ownPostgres`: the scenario's database server. */
  postgres: { stop(): Promise<void>; start(): Promise<void> } | null;
  /** Keeps the stack's directory (the service's logs) after `stop`, for a scenario that failed. */
  keep(): void;
  /** Whether the broker process still runs. */
  brokerAlive(): boolean;
  /** Only with `ownBroker`: the scenario's Kafka node, to SIGKILL and start again on its log. */
  ownKafka: { kill(): Promise<void>; restart(): Promise<void> } | null;
  /** Only with `cluster`: the replicated cluster the stack's topics live on; the service reaches it as User:service, with the ACLs of src/kafka-acls.ts alone. */
  cluster: EmbeddedKafkaCluster | null;
  stop(): Promise<void>;
}

/**
 * `keys`: a signing key pair to use instead of fresh ones, so that several stacks verify the
 * same tokens (and can be given the very same command bytes). `cluster`: topics on this
 * replicated cluster (which the caller started and stops) instead of the run's node;
 * `registryUrl`: a registry of the scenario's own instead of the run's.
 */
export async function startFaultStack(options: {
  partitions?: number; ownPostgres?: boolean; ownBroker?: boolean; keys?: DevKeys; cluster?: EmbeddedKafkaCluster; registryUrl?: string;
} = {}): Promise<FaultStack> {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-fault-'));
  const stops: (() => Promise<void>)[] = [];
  let brokerExit: () => string | null = () => null;
  let brokerStderr: () => string = () => '';
  const stopAll = async () => {
    const exit = stops.length > 0 ? brokerExit() : null;
    if (exit) process.stdout.write(`FAULT-BROKER-DIED ${exit}\n`);
    const keep = kept || Boolean(process.env.FAULT_KEEP);
    if (keep) writeFileSync(join(dir, 'broker-stderr.log'), brokerStderr());
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (keep) process.stdout.write(`FAULT-KEPT ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
  let kept = false;
  try {
    let serverUrl: string;
    let postgres: FaultStack['postgres'] = null;
    if (options.ownPostgres) {
      // The server runs as the `postgres` OS user when started as root: its directory must be its own.
      const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-fault-pg-'));
      stops.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      const port = await osPort();
      let server: EmbeddedDatabase | null = await startPostgres({ dataDir, port, persistent: true });
      serverUrl = server.url;
      stops.push(async () => { await server?.stop(); });
      postgres = {
        async stop() { await server?.stop(); server = null; },
        async start() { server = await startPostgres({ dataDir, port, persistent: true }); },
      };
    } else {
      const base = process.env.TEST_POSTGRES_URL;
      if (!base) throw new Error('TEST_POSTGRES_URL is not set: run the suites through jest (globalSetup starts PostgreSQL)');
      serverUrl = base;
    }
    const databaseName = `f_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    const databaseUrl = serverUrl.replace(/\/[^/]*$/, `/${databaseName}`);
    await migrate(databaseUrl, pino({ level: 'silent' }));

    const keys = options.keys ?? await devKeys(dir);
    const partitions = options.partitions ?? 3;
    const suite = await suiteBroker({ dir, partitions, broker: options.cluster });
    stops.push(() => suite.stop());
    let broker: EmbeddedBroker = suite.broker;
    let ownKafka: FaultStack['ownKafka'] = null;
    if (options.ownBroker) {
      if (!sharedKafka()) throw new Error('a scenario that kills the broker needs Apache Kafka: go-mokapi keeps its topics in memory and loses them with the process');
      // The version the run's shared node runs (EMBEDDED_KAFKA_VERSION), on a port the scenario keeps.
      const version = chooseStack().kafkaVersion;
      let node: EmbeddedKafka = await startKafka({ dir: join(dir, 'kafka'), version, port: await osPort(), partitions });
      stops.push(() => node.stop());
      await createSuiteTopics(node, suite.topics, partitions);
      // The same address across restarts; what the process says is the current node's.
      broker = {
        kind: 'apache-kafka', label: node.label, brokers: node.brokers, port: node.port,
        get pid() { return node.pid; },
        exitReason: () => node.exitReason(),
        stderrTail: () => node.stderrTail(),
        ensureTopics: (topics, count, configs) => node.ensureTopics(topics, count, configs),
        stop: () => node.stop(),
      };
      ownKafka = {
        kill: () => node.kill(),
        async restart() { node = await startKafka({ dir: node.dir, version, port: node.port, partitions }); },
      };
    }
    brokerExit = () => broker.exitReason();
    brokerStderr = () => broker.stderrTail();
    const config = loadConfig({
      ...suite.env,
      KAFKA_BROKERS: broker.brokers.join(','),
      SCHEMA_REGISTRY_URL: options.registryUrl ?? suite.registryUrl,
      DATABASE_URL: databaseUrl,
      AUTH_PUBLIC_KEY: keys.publicKeyPem,
      KAFKA_GROUP_ID: `fault-${randomUUID()}`,
      ...(options.cluster ? saslEnv(options.cluster.security, 'service') : {}),
    }) as ServiceConfig;
    const topics = topicsOf(config);
    if (options.cluster) await grantAcls(options.cluster.brokers, options.cluster.security, serviceAcls('User:service', topics, config.KAFKA_GROUP_ID));
    const serde = await registryAnswering(() => connectSerde(config.SCHEMA_REGISTRY_URL, topics));
    const kafka = new Kafka({
      clientId: 'fault-test', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING, ...(options.cluster ? saslClient(options.cluster.security, 'admin') : {}),
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2000 },
    });

    return {
      dir, config, topics, broker, keys, serde, kafka, postgres, ownKafka, cluster: options.cluster ?? null,
      brokerAlive: () => broker.exitReason() === null,
      keep: () => { kept = true; },
      async query(text, values) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          return (await client.query(text, values)).rows;
        } finally {
          await client.end();
        }
      },
      token: (role, subject, tokenOptions = {}) => mintToken({
        privateKeyPem: keys.privateKeyPem, subject, role, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ...tokenOptions,
      }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A registry's call from the harness, asked again until it answers or a minute passed. An
 * Apicurio just started on a loaded machine (a three-broker cluster beside it) can take longer
 * than one request's timeout to answer its first registrations, and the registry client does
 * not retry a timeout; the service has its own retries, the harness needs these.
 */
export async function registryAnswering<T>(call: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await setTimeout(250);
    }
  }
}
