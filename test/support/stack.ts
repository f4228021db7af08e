import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig, type ServiceConfig } from '../../src/config.ts';
import type { EmbeddedBroker } from '../../dev/stack/broker.ts';
import { devKeys, type DevKeys } from '../../dev/stack/keys.ts';
import { suiteBroker } from './shared-stack.ts';
import { migrate } from '../../src/store/migrate.ts';
import { mintToken, type Role } from '../../src/auth/tokens.ts';

export interface TestStack {
  config: ServiceConfig;
  broker: EmbeddedBroker;
  keys: DevKeys;
  /** A pg client on the suite's database, for assertions. */
  db: pg.Client;
  token(role: Role, subject: string, options?: { expiresInSeconds?: number; issuedAt?: Date }): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A suite's own real stack: a fresh database on the run's PostgreSQL server (migrated), its own
 * topics on the run's Apache Kafka (or its own go-mokapi broker on the fallback), the run's
 * registry, and signing keys of its own.
 */
export async function startTestStack(options: { partitions?: number; env?: Record<string, string> } = {}): Promise<TestStack> {
  const base = process.env.TEST_POSTGRES_URL;
  if (!base) throw new Error('TEST_POSTGRES_URL is not set: run the suites through jest (globalSetup starts PostgreSQL)');
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-test-'));
  const databaseName = `t_${randomUUID().replace(/-/g, '')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  await admin.end();
  const databaseUrl = base.replace(/\/[^/]*$/, `/${databaseName}`);
  const logger = pino({ level: 'silent' });
  await migrate(databaseUrl, logger);

  const keys = await devKeys(dir);
  const suite = await suiteBroker({ dir, partitions: options.partitions ?? 3 });
  const broker = suite.broker;
  const config = loadConfig({
    ...suite.env,
    KAFKA_BROKERS: broker.brokers.join(','),
    SCHEMA_REGISTRY_URL: suite.registryUrl,
    DATABASE_URL: databaseUrl,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    AUTH_PUBLIC_KEY: keys.publicKeyPem,
    KAFKA_GROUP_ID: `test-${randomUUID()}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  }) as ServiceConfig;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();

  return {
    config,
    broker,
    keys,
    db,
    token: (role, subject, tokenOptions = {}) => mintToken({
      privateKeyPem: keys.privateKeyPem, subject, role, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, ...tokenOptions,
    }),
    async stop() {
      await db.end();
      await suite.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
