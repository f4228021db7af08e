import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { allTopics, loadConfig, topicsOf, type Topics } from '../../src/config.ts';
import { MOKAPI_ENV, type EmbeddedBroker } from '../../dev/stack/broker.ts';
import { apicurioJdk, startApicurio } from '../../dev/stack/apicurio.ts';
import { chooseStack, startChosenBroker, startChosenRegistry, type EmbeddedRegistry } from '../../dev/stack/choose.ts';
import { devKeys, type DevKeys } from '../../dev/stack/keys.ts';
import { startPostgres, type EmbeddedDatabase } from '../../dev/stack/postgres.ts';
import { migrate } from '../../src/store/migrate.ts';
import { currentRssMb, processAgeSeconds } from './procs.ts';

export const PARTITIONS = 6;
/** A topic of its own for measuring one bare produce-to-consume hop through the broker. */
export const HOP_TOPIC = 'bench.hop';
/** The bare relay's topics (relay-latency.ts), partitioned as the command topic. */
export const RELAY_TOPICS = { in: 'bench.relay.in', out: 'bench.relay.out' };
export const ISSUER = 'backoffice-dev';
export const AUDIENCE = 'backoffice';

/** The processor's topics (the defaults). */
export const processorTopics: Topics = topicsOf(loadConfig({}));

/** The processor's topics under a prefix: another implementation's (or run's) own, on the same broker. */
export const prefixedTopics = (prefix: string): Topics => ({
  commands: `${prefix}.${processorTopics.commands}`,
  events: `${prefix}.${processorTopics.events}`,
  listings: {
    RESTAURANT: `${prefix}.${processorTopics.listings.RESTAURANT}`,
    PERFORMANCE: `${prefix}.${processorTopics.listings.PERFORMANCE}`,
    EXHIBITION: `${prefix}.${processorTopics.listings.EXHIBITION}`,
  },
  notifications: `${prefix}.${processorTopics.notifications}`,
  dlq: `${prefix}.${processorTopics.dlq}`,
  reviewersRecipientId: processorTopics.reviewersRecipientId,
});

/** The naive peer's own output topics; it reads the processor's command topic. */
export const naiveTopics: Topics = { ...prefixedTopics('naive'), commands: processorTopics.commands };

/** How long a part of the stack took to start, and its memory once started. */
export interface PartStartup {
  label: string;
  /** null when it is not a process of its own (the development registry runs inside the bench). */
  pid: number | null;
  /** From the call to the part being ready: jars checked, storage formatted, process started, ready. */
  seconds: number;
  /** From the process's spawn (its start time in /proc) to the part being ready. */
  fromSpawnSeconds: number | null;
  /** Resident set (VmRSS) right after it became ready, MB. */
  rssMbAtStart: number | null;
}

export interface BenchStack {
  dir: string;
  postgres: EmbeddedDatabase;
  /** pid of the postmaster, whose process tree is the database's CPU. */
  postgresPid: number;
  broker: EmbeddedBroker;
  registry: EmbeddedRegistry;
  /** Startup of the broker (ready = a metadata request answered, coordinators warm, topics created) and the registry. */
  startup: { broker: PartStartup; registry: PartStartup };
  /** What the service must be told about the broker: go-mokapi's quirks there, nothing on Kafka. */
  serviceEnv: Record<string, string>;
  keys: DevKeys;
  /** A fresh, migrated database on the one server. */
  database(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * One PostgreSQL server (fsync on, as in production: per-command commits pay for it), one
 * broker with every topic of both implementations (Apache Kafka, or go-mokapi with
 * `--broker=mokapi`), one registry (Apicurio with Kafka), dev keys.
 */
export async function startBenchStack(brokerSetting: 'kafka' | 'mokapi'): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-bench-'));
  // As root, PostgreSQL runs as the `postgres` user, who must be able to reach its data directory.
  chmodSync(dir, 0o755);
  const stops: (() => Promise<void>)[] = [() => Promise.resolve(rmSync(dir, { recursive: true, force: true }))];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error) => console.error('bench: stopping a part failed:', error));
  };
  try {
    const postgres = await startPostgres({ dataDir: join(dir, 'pg'), persistent: true });
    stops.push(() => postgres.stop());
    const postgresPid = Number(readFileSync(join(dir, 'pg', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const topics = [...new Set([...allTopics(processorTopics), ...allTopics(naiveTopics), HOP_TOPIC, RELAY_TOPICS.in, RELAY_TOPICS.out])];
    // `--broker=kafka` (the default) fails on a machine without a JDK >= 17 and Maven instead of
    // quietly measuring go-mokapi: figures must say which broker they came from.
    let choice: ReturnType<typeof chooseStack>;
    try {
      choice = chooseStack({ ...process.env, EMBEDDED_STACK: brokerSetting });
    } catch (error) {
      throw new Error(`bench --broker=${brokerSetting}: ${(error as Error).message}; --broker=mokapi runs the bench on the go-mokapi fallback`);
    }
    const mokapi = choice.broker === 'go-mokapi';
    const announce = (line: string) => console.log(`[bench] ${line}`);
    let at = performance.now();
    const broker = await startChosenBroker(choice, {
      dir: join(dir, 'broker'), topics, commandTopic: processorTopics.commands, dlqTopic: processorTopics.dlq, partitions: PARTITIONS, announce,
    });
    const brokerStartup = partStartup(broker.label, broker.pid, at);
    stops.push(() => broker.stop());
    // With Kafka, Apicurio as startChosenRegistry starts it, but started here so that its pid is
    // known (for its memory); the development registry wherever startChosenRegistry would take it.
    at = performance.now();
    const apicurio = !mokapi && typeof apicurioJdk() !== 'string'
      ? await startApicurio({ version: choice.apicurioVersion, announce })
      : null;
    const registry: EmbeddedRegistry = apicurio ?? await startChosenRegistry(choice, { dir, announce });
    const registryStartup = partStartup(registry.label, apicurio?.pid ?? null, at);
    stops.push(() => registry.stop());
    announce(`${broker.label} ready in ${brokerStartup.seconds} s (${brokerStartup.fromSpawnSeconds} s from spawn), ${brokerStartup.rssMbAtStart} MB RSS; `
      + `${registry.label} ready in ${registryStartup.seconds} s`);
    const keys = await devKeys(join(dir, 'keys'));
    const logger = pino({ level: 'warn' });
    return {
      dir, postgres, postgresPid, broker, registry, startup: { broker: brokerStartup, registry: registryStartup }, keys, serviceEnv: mokapi ? { ...MOKAPI_ENV } : {},
      async database(name) {
        const url = await postgres.createDatabase(name);
        await migrate(url, logger);
        return url;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function partStartup(label: string, pid: number | null, calledAt: number): PartStartup {
  const seconds = (performance.now() - calledAt) / 1000;
  const age = pid === null ? NaN : processAgeSeconds(pid);
  const rss = pid === null ? NaN : currentRssMb(pid);
  const two = (value: number) => (Number.isFinite(value) ? Math.round(value * 100) / 100 : null);
  return { label, pid, seconds: two(seconds)!, fromSpawnSeconds: two(age), rssMbAtStart: Number.isFinite(rss) ? Math.round(rss) : null };
}
