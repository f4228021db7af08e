import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Kafka, Message } from 'kafkajs';
import { configSchema } from '../../src/config.ts';
import { FETCH_MAX_WAIT_MS } from '../../src/service.ts';
import { paced, percentile, untilQuiet } from './latency.ts';

const SEQ = 'relay-seq';

export interface RelayLatency {
  offeredPerSecond: number;
  measured: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * The latency floor of the processor's parts at a steady rate: what submit-to-outcome costs when
 * the middle does nothing but the pipeline's shape. Records are sent as the latency phase sends
 * commands (paced in small batches, acks -1); a relay consumes them as the service's consumer does
 * (its fetch wait, its default partitions at a time), writes one row per record in one transaction
 * per batch, produces each record to a second topic with acks -1 (idempotent where the relay is)
 * and commits the batch's offset; a reader with the latency phase's settings notes each arrival.
 * No decode, no decision, no reads or locks: the processor does all of this and more for every
 * command, so the relay's percentiles at a rate bound the processor's from below at that rate.
 */
export async function measureBareRelay(options: {
  kafka: Kafka; databaseUrl: string; topics: { in: string; out: string }; rate: number; warmupSeconds: number; idempotent: boolean;
  /** The latency phase's encoded commands, so that the relay moves records of the same keys and sizes. */
  records: { key: string; value: Buffer }[];
}): Promise<RelayLatency> {
  const { kafka, topics, rate, records } = options;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 3 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_relay (id text PRIMARY KEY, payload bytea NOT NULL)');
  const sender = kafka.producer({ maxInFlightRequests: 1 });
  const relayProducer = kafka.producer({ idempotent: options.idempotent, maxInFlightRequests: 1 });
  const relay = kafka.consumer({ groupId: `bench-relay-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
  const reader = kafka.consumer({ groupId: `bench-relay-reader-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 5000 });
  const count = records.length;
  const sentAt = new Array<number>(count).fill(NaN);
  // Every call's rows go to the one table.
  const run = randomUUID();
  const arrivals = new Map<number, number>();
  try {
    await Promise.all([sender.connect(), relayProducer.connect(), relay.connect(), reader.connect()]);
    const joined = (consumer: typeof relay) => new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    const relayJoined = joined(relay);
    const readerJoined = joined(reader);
    await relay.subscribe({ topic: topics.in, fromBeginning: false });
    await reader.subscribe({ topic: topics.out, fromBeginning: false });
    await relay.run({
      autoCommit: false,
      partitionsConsumedConcurrently: configSchema.shape.PROCESSOR_PARTITIONS_CONCURRENTLY.parse(undefined),
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO bench_relay (id, payload) SELECT * FROM unnest($1::text[], $2::bytea[])',
            [batch.messages.map((message) => `${run}:${message.headers![SEQ]}`), batch.messages.map((message) => message.value!)]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        const messages: Message[] = batch.messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers }));
        await relayProducer.send({ topic: topics.out, acks: -1, messages });
        await relay.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
      },
    });
    await reader.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const message of batch.messages) {
          const seq = Number(message.headers?.[SEQ]?.toString());
          if (!arrivals.has(seq)) arrivals.set(seq, now);
        }
      },
    });
    await Promise.all([relayJoined, readerJoined]);
    // Both resolve the latest offsets on their first fetch, as the latency phase's reader does.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { started } = await paced(rate, count, async (from, to, now) => {
      sentAt.fill(now, from, to);
      const messages = records.slice(from, to).map(({ key, value }, index) => ({ key, value, headers: { [SEQ]: String(from + index) } }));
      await sender.send({ topic: topics.in, acks: -1, messages });
    });
    const missing = await untilQuiet(() => arrivals.size, count, `relayed records at ${rate}/s`);
    if (missing !== null) throw new Error(missing);
    const latencies = sentAt.flatMap((at, seq) => (at >= started + options.warmupSeconds * 1000 ? [arrivals.get(seq)! - at] : [])).sort((a, b) => a - b);
    return {
      offeredPerSecond: rate, measured: latencies.length,
      p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN,
    };
  } finally {
    await Promise.all([relay, reader].map((consumer) => consumer.disconnect().catch(() => {})));
    await Promise.all([sender, relayProducer].map((producer) => producer.disconnect().catch(() => {})));
    await pool.end();
  }
}
