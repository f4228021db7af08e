import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type EmbeddedDatabase } from '../../dev/stack/postgres.ts';
import { chooseStack, describeChoice, startChosenRegistry, type EmbeddedRegistry } from '../../dev/stack/choose.ts';
import { startKafka, type EmbeddedKafka } from '../../dev/stack/kafka.ts';
import { buildConsole } from '../../console/build.ts';

declare global {
  var testStack: { dir?: string; postgres?: EmbeddedDatabase; kafka?: EmbeddedKafka; registry?: EmbeddedRegistry } | undefined;
}

/**
 * One real PostgreSQL server for the whole run (every suite gets a database of its own) and,
 * when Apache Kafka can run here, one Kafka node and one Apicurio Registry that suites share
 * with topics of their own (see shared-stack.ts). EMBEDDED_STACK=kafka makes a broken Kafka
 * start fail the run instead of falling back.
 */
export default async function globalSetup(): Promise<void> {
  const choice = chooseStack();
  const parts: NonNullable<typeof globalThis.testStack> = {};
  globalThis.testStack = parts;
  const announce = (line: string) => console.log(`\n${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-test-'));
  // As root, PostgreSQL runs as the `postgres` user, who must be able to reach its data directory.
  chmodSync(dir, 0o755);
  parts.dir = dir;
  const started = await Promise.allSettled([
    // The service serves the console from its bundle: every suite sees the sources as they are.
    buildConsole(),
    startPostgres({ dataDir: join(dir, 'pg'), persistent: false }).then((postgres) => { parts.postgres = postgres; }),
    choice.broker === 'apache-kafka'
      ? startKafka({ dir: join(dir, 'kafka'), version: choice.kafkaVersion, partitions: 3, announce }).then((kafka) => { parts.kafka = kafka; })
      : Promise.resolve(),
    choice.broker === 'apache-kafka'
      ? startChosenRegistry(choice, { dir, announce }).then((registry) => { parts.registry = registry; })
      : Promise.resolve(),
  ]);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stopTestStack();
    throw (failed as PromiseRejectedResult).reason;
  }
  process.env.TEST_POSTGRES_URL = parts.postgres!.url;
  if (parts.kafka && parts.registry) {
    process.env.TEST_KAFKA_BROKERS = parts.kafka.brokers.join(',');
    process.env.TEST_KAFKA_PID = String(parts.kafka.pid);
    process.env.TEST_BROKER_LABEL = parts.kafka.label;
    process.env.TEST_REGISTRY_URL = parts.registry.url;
  }
  console.log(`\n${describeChoice(choice)}${parts.registry ? `, ${parts.registry.label}` : ''}; PostgreSQL ${parts.postgres!.url}`);
}

export async function stopTestStack(): Promise<void> {
  const parts = globalThis.testStack ?? {};
  await Promise.allSettled([parts.kafka?.stop(), parts.registry?.stop(), parts.postgres?.stop()]);
  if (parts.dir) rmSync(parts.dir, { recursive: true, force: true });
}
