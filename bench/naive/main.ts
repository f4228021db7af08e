import pg from 'pg';
import { createTokenVerifier } from '../../src/auth/tokens.ts';
import { connectSerde } from '../../src/schemas/serde.ts';
import { kafkaClient } from '../lib/kafka.ts';
import { naiveTopics } from '../lib/stack.ts';
import { runNaive } from './peer.ts';

/**
 * The naive peer as its own process (so its CPU is measured like the service's). Reads the same
 * command topic as the processor with its own group, writes its own database, produces to the
 * `naive.` topics. Prints one JSON line when it has handled NAIVE_LIMIT records.
 */

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const limit = Number(env('NAIVE_LIMIT'));
const concurrency = Number(process.env.NAIVE_CONCURRENCY ?? '3');
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: concurrency + 1 });
const serde = await connectSerde(env('SCHEMA_REGISTRY_URL'), naiveTopics);
const verifier = createTokenVerifier({ publicKeyPem: env('AUTH_PUBLIC_KEY'), issuer: 'backoffice-dev', audience: 'backoffice' });
const kafka = kafkaClient(env('KAFKA_BROKERS').split(','), 'bench-naive');
const producer = kafka.producer({ idempotent: process.env.NAIVE_IDEMPOTENT === 'true', maxInFlightRequests: 1 });
const consumer = kafka.consumer({ groupId: env('KAFKA_GROUP_ID'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
await producer.connect();
await consumer.connect();

let handled = 0;
let started = 0;
consumer.on(consumer.events.GROUP_JOIN, () => {
  started ||= performance.now();
  console.log(JSON.stringify({ event: 'joined' }));
});

const stop = async () => {
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  await pool.end().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

await runNaive(consumer, { pool, producer, serde, verifier, topics: naiveTopics }, {
  concurrency,
  onHandled: () => {
    handled += 1;
    if (handled === limit) {
      console.log(JSON.stringify({ event: 'reached', handled, seconds: (performance.now() - started) / 1000 }));
    }
  },
});
