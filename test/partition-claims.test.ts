import { applyBatch, foldRound } from '../src/processors/batch.ts';
import { PartitionMoved } from '../src/processors/runtime/epochs.ts';
import { loadedFrom, loadQuery, storedFrom, writeQuery } from '../src/store/batch-store.ts';
import { claimPartition } from '../src/store/claims-store.ts';
import { eventually } from './support/pipeline.ts';
import { batchSuite, deadLetterAt } from './support/batch-suite.ts';

/**
 * Fencing on the real database: only the latest claim of a partition commits batches, and a
 * claim waits for the batch of the previous holder in flight, so that the new holder's drain
 * sees everything that holder committed.
 */
const suite = batchSuite();

const outboxOffsets = async (partition: number) =>
  (await suite.stack.db.query(`SELECT headers->>'source.offset' AS offset FROM outbox WHERE source_partition = $1 ORDER BY id`, [partition])).rows.map((row) => Number(row.offset));

test('a batch under an overtaken claim is refused and writes nothing; the latest claim writes', async () => {
  const first = await claimPartition(suite.db, 0);
  await applyBatch([deadLetterAt(0, 1)], suite.deps, [{ partition: 0, token: first }]);
  const second = await claimPartition(suite.db, 0);
  expect(BigInt(second)).toBeGreaterThan(BigInt(first));

  await expect(applyBatch([deadLetterAt(0, 2)], suite.deps, [{ partition: 0, token: first }])).rejects.toBeInstanceOf(PartitionMoved);
  expect(await outboxOffsets(0)).toEqual([1]);
  await applyBatch([deadLetterAt(0, 3)], suite.deps, [{ partition: 0, token: second }]);
  expect(await outboxOffsets(0)).toEqual([1, 3]);
  // Claims are per partition.
  const other = await claimPartition(suite.db, 1);
  await applyBatch([deadLetterAt(1, 1)], suite.deps, [{ partition: 1, token: other }]);
  await expect(applyBatch([deadLetterAt(0, 4)], suite.deps, [{ partition: 0, token: other }])).rejects.toBeInstanceOf(PartitionMoved);
});

test('a claim waits for the batch of the previous holder in flight, then sees what it committed', async () => {
  const holder = await claimPartition(suite.db, 2);
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let claimed = false;
  let holding!: (moved: number[]) => void;
  const held = new Promise<number[]>((resolve) => { holding = resolve; });
  // applyBatch's steps, with a pause between the load (the claim held) and the write.
  const inFlight = (async () => {
    const { rows, round } = await suite.deps.rounds.begin(loadQuery({ claims: [{ partition: 2, token: holder }], applicationIds: [], commandIds: [], listingIds: [] }));
    const load = loadedFrom(rows);
    holding(load.moved);
    await released;
    const { write } = foldRound([deadLetterAt(2, 7)], load, suite.deps, Date.now());
    return storedFrom(await round.commitWith(writeQuery(write)), write);
  })();

  // Once the batch holds the claim: a claim taken before its load would simply overtake it.
  expect(await Promise.race([held, inFlight])).toEqual([]);
  const claiming = claimPartition(suite.db, 2).then((token) => { claimed = true; return token; });
  // The claim is blocked on the holder's row lock (PostgreSQL says so), not merely slow.
  await eventually(async () => {
    const { rows } = await suite.stack.db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO partition_claims%'`);
    return rows.length > 0 ? true : undefined;
  });
  expect(claimed).toBe(false);
  release();
  const [stored, token] = await Promise.all([inFlight, claiming]);
  expect(stored).toHaveLength(1);
  expect(await outboxOffsets(2)).toEqual([7]);
  await expect(applyBatch([deadLetterAt(2, 8)], suite.deps, [{ partition: 2, token: holder }])).rejects.toBeInstanceOf(PartitionMoved);
  await applyBatch([deadLetterAt(2, 9)], suite.deps, [{ partition: 2, token }]);
  expect(await outboxOffsets(2)).toEqual([7, 9]);
});
