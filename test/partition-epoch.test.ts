import { Partitioners, type Kafka } from 'kafkajs';
import { pino } from 'pino';
import { topicsOf } from '../src/config.ts';
import { createKafka } from '../src/kafka.ts';
import { PartitionEpoch, PartitionEpochs, PartitionMoved } from '../src/processors/runtime/epochs.ts';
import { claimPartition } from '../src/store/claims-store.ts';
import { Publisher } from '../src/processors/publisher.ts';
import { OutboxRelay } from '../src/processors/relay.ts';
import { applyBatch } from '../src/processors/batch.ts';
import { batchSuite, deadLetterAt } from './support/batch-suite.ts';

/**
 * What a partition's epoch knows, on the real database and broker: the claim it holds, and
 * whether the outbox rows written outside its knowledge were published. A write that failed
 * may have committed anyway (a COMMIT whose answer was lost): after it the epoch must drain the
 * partition again, or those rows would stay unpublished behind later ones.
 */
const suite = batchSuite();
let kafka: Kafka;
let publisher: Publisher;
let relay: OutboxRelay;

beforeAll(() => {
  kafka = createKafka(suite.stack.config, pino({ level: 'silent' }));
  publisher = new Publisher((settings) => kafka.producer(settings), Partitioners.DefaultPartitioner);
  relay = new OutboxRelay(publisher, suite.db);
});
const ports = () => ({ claim: (partition: number) => claimPartition(suite.db, partition), drain: (partition: number) => relay.drain(partition) });
afterAll(() => publisher?.stop());

const unpublishedOffsets = async (partition: number) =>
  (await suite.stack.db.query(`SELECT headers->>'source.offset' AS offset FROM outbox WHERE source_partition = $1 AND published_at IS NULL ORDER BY id`, [partition]))
    .rows.map((row) => Number(row.offset));
/** Records on the dead-letter topic, all partitions. */
async function deadLetters(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topicsOf(suite.stack.config).dlq);
    return offsets.reduce((sum, { high }) => sum + Number(high), 0);
  } finally {
    await admin.disconnect();
  }
}

test('after a failed write the epoch drains the partition again; only a moved partition is claimed again', async () => {
  const epoch = new PartitionEpoch(3, ports());
  const token = await epoch.claim();
  await epoch.drain();
  expect(await epoch.claim()).toBe(token);
  const before = await deadLetters();

  // Committed, but the caller never got the rows (the answer to its COMMIT was lost).
  await applyBatch([deadLetterAt(3, 1)], suite.deps, [{ partition: 3, token }]);
  await epoch.drain();
  expect(await unpublishedOffsets(3)).toEqual([1]);

  epoch.writeFailed(new Error('connection lost during COMMIT'));
  expect(epoch.isDrained).toBe(false);
  await epoch.drain();
  expect(epoch.isDrained).toBe(true);
  expect(await unpublishedOffsets(3)).toEqual([]);
  expect(await deadLetters()).toBe(before + 1);
  expect(await epoch.claim()).toBe(token);

  epoch.writeFailed(new PartitionMoved('claimed by another instance', [3]));
  expect(BigInt(await epoch.claim())).toBeGreaterThan(BigInt(token));
});

test('a group join ends every epoch: each claims and drains again at its next batch', async () => {
  const epochs = new PartitionEpochs(ports());
  const epoch = epochs.of(4);
  const token = await epoch.claim();
  await epoch.drain();
  // Another holder's rows, committed while this instance did not own the partition.
  await applyBatch([deadLetterAt(4, 1)], suite.deps, [{ partition: 4, token }]);

  epochs.endAll();
  expect(epochs.of(4)).toBe(epoch);
  expect(BigInt(await epoch.claim())).toBeGreaterThan(BigInt(token));
  await epoch.drain();
  expect(await unpublishedOffsets(4)).toEqual([]);
});
