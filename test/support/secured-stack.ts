import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, topicsOf, type ServiceConfig, type Topics } from '../../src/config.ts';
import { producerAcls, readerAcls, serviceAcls } from '../../src/kafka-acls.ts';
import { chooseStack } from '../../dev/stack/choose.ts';
import { devKeys, type DevKeys } from '../../dev/stack/keys.ts';
import { startKafka, type EmbeddedKafka } from '../../dev/stack/kafka.ts';
import { grantAcls, saslEnv, type KafkaSecurity, type SaslMechanism, type User } from '../../dev/stack/kafka-security.ts';
import { startPostgres, type EmbeddedDatabase } from '../../dev/stack/postgres.ts';
import { forPg } from '../../src/store/database-url.ts';
import { mintToken, type Role } from '../../src/auth/tokens.ts';
import { createSuiteTopics } from './shared-stack.ts';
import { securedRegistry, type SecuredRegistry } from './registry-proxy.ts';

/** The consumer groups the test readers, the CLI's outcome watcher and its DLQ reader use. */
export const READER_GROUP_PREFIXES = ['event-reader-', 'cli-outcome-', 'dlq-reader-'];

/**
 * Production-shaped security for one suite: an Apache Kafka node of its own with a SASL_SSL
 * listener, SCRAM users and the authorizer on, the ACLs of src/kafka-acls.ts for the service,
 * a producer and a reader; the run's registry behind TLS and basic auth; and a PostgreSQL
 * server of its own that takes TLS connections only. Certificates and passwords are made at
 * start (kafka-security.ts) and vanish with the suite.
 */
export interface SecuredStack {
  dir: string;
  kafka: EmbeddedKafka;
  security: KafkaSecurity;
  registry: SecuredRegistry;
  postgres: EmbeddedDatabase;
  /** The suite database's URL: `sslmode=require` with the test CA as `sslrootcert`, and its own role's password. */
  databaseUrl: string;
  databaseName: string;
  keys: DevKeys;
  topics: Topics;
  groupId: string;
  /** Every setting the service needs, as `user` over SASL_SSL (`env` adds or replaces settings). */
  env(user: User, mechanism?: SaslMechanism, env?: Record<string, string>): Record<string, string>;
  config(user: User, mechanism?: SaslMechanism, env?: Record<string, string>): ServiceConfig;
  /** Queries on the suite's database as the server's superuser, over TLS. */
  query<T extends pg.QueryResultRow = Record<string, any>>(text: string, values?: unknown[]): Promise<T[]>;
  token(role: Role, subject: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startSecuredStack(): Promise<SecuredStack> {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-secured-'));
  // As root PostgreSQL runs as `postgres`, who must reach its data folder below this one.
  chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const kafka = await startKafka({ dir: join(dir, 'kafka'), version: chooseStack().kafkaVersion, partitions: 3, secured: true });
    stops.push(() => kafka.stop());
    const security = kafka.security!;
    const topics = topicsOf(loadConfig({}));
    const groupId = 'backoffice-secured';
    await createSuiteTopics(kafka, topics, 3);
    await grantAcls(kafka.brokers, security, [
      ...serviceAcls('User:service', topics, groupId),
      ...producerAcls('User:producer', topics),
      ...readerAcls('User:reader', topics, READER_GROUP_PREFIXES),
      ...producerAcls('User:operator', topics),
      ...readerAcls('User:operator', topics, READER_GROUP_PREFIXES),
    ]);
    const tls = { certFile: security.files.serverCert, keyFile: security.files.serverKey };
    const upstream = process.env.TEST_REGISTRY_URL;
    if (!upstream) throw new Error('the secured suites need the run\'s Apicurio Registry (TEST_REGISTRY_URL): Apache Kafka and Java 21 must be available');
    const registry = await securedRegistry(upstream, tls, 'registry-user', randomBytes(12).toString('base64url'));
    stops.push(() => registry.close());
    const postgres = await startPostgres({ dataDir: join(dir, 'pg'), persistent: false, tls: { ...tls, caFile: security.files.ca } });
    stops.push(() => postgres.stop());
    // A role of its own with a password nobody else uses, so that a test can look for it in every output.
    const databaseName = 'secured';
    const role = { name: 'backoffice_service', password: randomBytes(12).toString('base64url') };
    const onDatabase = (name: string) => {
      const url = new URL(postgres.url);
      url.pathname = `/${name}`;
      return url;
    };
    const queryOn = (database: string) => async <T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]> => {
      const client = new pg.Client({ connectionString: forPg(onDatabase(database).toString()) });
      await client.connect();
      try {
        return (await client.query<T>(text, values)).rows;
      } finally {
        await client.end();
      }
    };
    await queryOn('postgres')(`CREATE ROLE ${role.name} LOGIN PASSWORD '${role.password}'`);
    await queryOn('postgres')(`CREATE DATABASE ${databaseName} OWNER ${role.name}`);
    const query = queryOn(databaseName);
    const asService = onDatabase(databaseName);
    asService.username = role.name;
    asService.password = role.password;
    const databaseUrl = asService.toString();
    const keys = await devKeys(dir);

    const env = (user: User, mechanism: SaslMechanism = 'SCRAM-SHA-512', overrides: Record<string, string> = {}): Record<string, string> => ({
      KAFKA_BROKERS: kafka.brokers.join(','),
      ...saslEnv(security, user, mechanism),
      SCHEMA_REGISTRY_URL: registry.url,
      SCHEMA_REGISTRY_USERNAME: registry.username,
      SCHEMA_REGISTRY_PASSWORD: registry.password,
      SCHEMA_REGISTRY_CA_FILE: security.files.ca,
      DATABASE_URL: databaseUrl,
      AUTH_PUBLIC_KEY: keys.publicKeyPem,
      KAFKA_GROUP_ID: groupId,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...overrides,
    });
    return {
      dir, kafka, security, registry, postgres, databaseUrl, databaseName, keys, topics, groupId, env, query,
      config: (user, mechanism, overrides) => loadConfig(env(user, mechanism, overrides)) as ServiceConfig,
      token: (role, subject) => mintToken({ privateKeyPem: keys.privateKeyPem, subject, role, issuer: 'backoffice-dev', audience: 'backoffice' }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
