import { applyBatch, foldRound } from '../src/processors/batch.ts';
import { loadedFrom, loadQuery, writeQuery } from '../src/store/batch-store.ts';
import { claimPartition } from '../src/store/claims-store.ts';
import { eventually } from './support/pipeline.ts';
import { batchSuite, deadLetterAt } from './support/batch-suite.ts';

/** The rounds' own pool (src/store/round-pool.ts) on the real database, when a connection goes away. */
const suite = batchSuite();

const outboxOffsets = async (partition: number) =>
  (await suite.stack.db.query(`SELECT headers->>'source.offset' AS offset FROM outbox WHERE source_partition = $1 ORDER BY id`, [partition])).rows.map((row) => Number(row.offset));

test('a round whose connection is killed between its load and its write fails, writes nothing, and the next round goes through', async () => {
  const token = await claimPartition(suite.db, 5);
  const { rows, round } = await suite.deps.rounds.begin(loadQuery({ claims: [{ partition: 5, token }], applicationIds: [], commandIds: [], listingIds: [] }));
  const { rows: [held] } = await suite.stack.db.query(`SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE '%load_batch%'`);
  expect(held).toBeDefined();
  await suite.stack.db.query('SELECT pg_terminate_backend($1)', [held.pid]);
  await eventually(async () => ((await suite.stack.db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [held.pid])).rows.length === 0 ? true : undefined));

  const { write } = foldRound([deadLetterAt(5, 1)], loadedFrom(rows), suite.deps, Date.now());
  await expect(round.commitWith(writeQuery(write))).rejects.toThrow();
  await applyBatch([deadLetterAt(5, 2)], suite.deps, [{ partition: 5, token }]);
  expect(await outboxOffsets(5)).toEqual([2]);
});
