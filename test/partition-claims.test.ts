import { topicsOf } from '../src/config.ts';
import { applyBatch } from '../src/processors/batch.ts';
import type { Prepared } from '../src/processors/envelope.ts';
import { PartitionMoved } from '../src/processors/partition-epoch.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { claimPartition, holdsClaim } from '../src/store/claims-store.ts';
import { connectDatabase, type Database } from '../src/store/db.ts';
import { eventually } from './support/pipeline.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

/**
 * Fencing on the real database: only the latest claim of a partition commits batches, and a
 * claim waits for the batch of the previous holder in flight, so that the new holder's drain
 * sees everything that holder committed.
 */
let stack: TestStack;
let db: Database;
let deps: Parameters<typeof applyBatch>[1];

beforeAll(async () => {
  stack = await startTestStack();
  db = await connectDatabase(stack.config.DATABASE_URL);
  const topics = topicsOf(stack.config);
  deps = { db, topics, serde: await connectSerde(stack.config.SCHEMA_REGISTRY_URL, topics) };
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

const letter = (partition: number, offset: number): Prepared => ({
  kind: 'dead-letter', code: 'BAD_MAGIC_BYTE', message: 'not a command',
  record: { partition, offset: String(offset), key: Buffer.from(`k${offset}`), value: Buffer.from('x'), timestamp: String(Date.now()) },
});
const outboxOffsets = async (partition: number) =>
  (await stack.db.query(`SELECT headers->>'source.offset' AS offset FROM outbox WHERE source_partition = $1 ORDER BY id`, [partition])).rows.map((row) => Number(row.offset));

test('a batch under an overtaken claim is refused and writes nothing; the latest claim writes', async () => {
  const first = await claimPartition(db, 0);
  await applyBatch([letter(0, 1)], deps, { partition: 0, token: first });
  const second = await claimPartition(db, 0);
  expect(BigInt(second)).toBeGreaterThan(BigInt(first));

  await expect(applyBatch([letter(0, 2)], deps, { partition: 0, token: first })).rejects.toBeInstanceOf(PartitionMoved);
  expect(await outboxOffsets(0)).toEqual([1]);
  await applyBatch([letter(0, 3)], deps, { partition: 0, token: second });
  expect(await outboxOffsets(0)).toEqual([1, 3]);
  // Claims are per partition.
  const other = await claimPartition(db, 1);
  await applyBatch([letter(1, 1)], deps, { partition: 1, token: other });
  await expect(applyBatch([letter(0, 4)], deps, { partition: 0, token: other })).rejects.toBeInstanceOf(PartitionMoved);
});

test('a claim waits for the batch of the previous holder in flight, then sees what it committed', async () => {
  const holder = await claimPartition(db, 2);
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let claimed = false;
  const inFlight = db.transaction(async (tx) => {
    expect(await holdsClaim(tx, 2, holder)).toBe(true);
    await released;
    await applyBatch([letter(2, 7)], { ...deps, db: tx as unknown as Database }, { partition: 2, token: holder });
  });

  const claiming = claimPartition(db, 2).then((token) => { claimed = true; return token; });
  // The claim is blocked on the holder's row lock (PostgreSQL says so), not merely slow.
  await eventually(async () => {
    const { rows } = await stack.db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO partition_claims%'`);
    return rows.length > 0 ? true : undefined;
  });
  expect(claimed).toBe(false);
  release();
  const [, token] = await Promise.all([inFlight, claiming]);
  expect(await outboxOffsets(2)).toEqual([7]);
  await expect(applyBatch([letter(2, 8)], deps, { partition: 2, token: holder })).rejects.toBeInstanceOf(PartitionMoved);
  await applyBatch([letter(2, 9)], deps, { partition: 2, token });
  expect(await outboxOffsets(2)).toEqual([7, 9]);
});
