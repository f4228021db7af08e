import { Partitioners, type Kafka } from 'kafkajs';
import { pino } from 'pino';
import { topicsOf } from '../src/config.ts';
import { createKafka } from '../src/kafka.ts';
import { applyBatch } from '../src/processors/batch.ts';
import type { Prepared } from '../src/processors/envelope.ts';
import { PartitionEpoch, PartitionEpochs, PartitionMoved } from '../src/processors/partition-epoch.ts';
import { Publisher } from '../src/processors/publisher.ts';
import { OutboxRelay } from '../src/processors/relay.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { connectDatabase, type Database } from '../src/store/db.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

/**
 * What a partition's epoch knows, on the real database and broker: the claim it holds, and
 * whether the outbox rows written outside its knowledge were published. A write that failed
 * may have committed anyway (a COMMIT whose answer was lost): after it the epoch must drain the
 * partition again, or those rows would stay unpublished behind later ones.
 */
let stack: TestStack;
let db: Database;
let kafka: Kafka;
let publisher: Publisher;
let relay: OutboxRelay;
let deps: Parameters<typeof applyBatch>[1];

beforeAll(async () => {
  stack = await startTestStack();
  db = await connectDatabase(stack.config.DATABASE_URL);
  const topics = topicsOf(stack.config);
  deps = { db, topics, serde: await connectSerde(stack.config.SCHEMA_REGISTRY_URL, topics) };
  kafka = createKafka(stack.config, pino({ level: 'silent' }));
  publisher = new Publisher(() => kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }));
  relay = new OutboxRelay(publisher, db);
});
afterAll(async () => {
  await publisher?.stop();
  await db?.end();
  await stack?.stop();
});

const letter = (partition: number, offset: number): Prepared => ({
  kind: 'dead-letter', code: 'BAD_MAGIC_BYTE', message: 'not a command',
  record: { partition, offset: String(offset), key: Buffer.from(`k${offset}`), value: Buffer.from('x'), timestamp: String(Date.now()) },
});
const unpublishedOffsets = async (partition: number) =>
  (await stack.db.query(`SELECT headers->>'source.offset' AS offset FROM outbox WHERE source_partition = $1 AND published_at IS NULL ORDER BY id`, [partition]))
    .rows.map((row) => Number(row.offset));
/** Records on the dead-letter topic, all partitions. */
async function deadLetters(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicsOf(stack.config).dlq);
    return offsets.reduce((sum, { high }) => sum + Number(high), 0);
  } finally {
    await admin.disconnect();
  }
}

test('after a failed write the epoch drains the partition again before it publishes; only a moved partition is claimed again', async () => {
  const epoch = new PartitionEpoch(3, db, relay);
  const token = await epoch.claim();
  await epoch.drain();
  expect(await epoch.claim()).toBe(token);
  const before = await deadLetters();

  // Committed, but the caller never got the rows (the answer to its COMMIT was lost).
  await applyBatch([letter(3, 1)], deps, { partition: 3, token });
  await epoch.publish([]);
  expect(await unpublishedOffsets(3)).toEqual([1]);

  epoch.writeFailed(new Error('connection lost during COMMIT'));
  await epoch.publish([]);
  expect(await unpublishedOffsets(3)).toEqual([]);
  expect(await deadLetters()).toBe(before + 1);
  expect(await epoch.claim()).toBe(token);

  epoch.writeFailed(new PartitionMoved('claimed by another instance'));
  expect(BigInt(await epoch.claim())).toBeGreaterThan(BigInt(token));
});

test('a group join ends every epoch: each claims and drains again at its next batch', async () => {
  const epochs = new PartitionEpochs(db, relay);
  const epoch = epochs.of(4);
  const token = await epoch.claim();
  await epoch.drain();
  // Another holder's rows, committed while this instance did not own the partition.
  await applyBatch([letter(4, 1)], deps, { partition: 4, token });

  epochs.endAll();
  expect(epochs.of(4)).toBe(epoch);
  expect(BigInt(await epoch.claim())).toBeGreaterThan(BigInt(token));
  await epoch.drain();
  expect(await unpublishedOffsets(4)).toEqual([]);
});
