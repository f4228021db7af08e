import { z } from 'zod';
import { sql, type Database } from './db.ts';

/** Rows deleted per statement: short transactions that never hold many locks or bloat one snapshot. */
export const RETENTION_CHUNK = 5000;

/** The tables the sweep bounds by age alone, each with its key and the time a row ages from. */
const SWEPT = {
  processed_commands: { key: 'command_id', time: 'processed_at' },
  gateway_commands: { key: 'command_id', time: 'requested_at' },
  dead_lettered_commands: { key: 'command_id', time: 'dead_lettered_at' },
} as const;
export type SweptTable = keyof typeof SWEPT;

const deleted = z.object({ deleted: z.number().int() });

/**
 * One chunk of `table`'s rows older than `seconds`, oldest first (an index on the time column
 * each). Rows locked by another instance's sweep are skipped, not waited for.
 */
export async function deleteOlderThan(db: Database, table: SweptTable, seconds: number): Promise<number> {
  const name = sql.identifier([table]);
  const key = sql.identifier([SWEPT[table].key]);
  const time = sql.identifier([SWEPT[table].time]);
  return db.oneFirst(sql.type(deleted)`
    WITH gone AS (
      DELETE FROM ${name} WHERE ${key} IN (
        SELECT ${key} FROM ${name} WHERE ${time} < now() - make_interval(secs => ${seconds})
        ORDER BY ${time} LIMIT ${RETENTION_CHUNK} FOR UPDATE SKIP LOCKED)
      RETURNING 1)
    SELECT count(*)::int AS deleted FROM gone`);
}

/**
 * One chunk of each partition's outbox rows at or below its watermark (published) and older than
 * `seconds`, lowest ids first: a range scan of outbox_rows_by_partition from the partition's
 * oldest row. A row above the watermark is never deleted, however old. Two sweeps deleting the
 * same rows wait for each other and the second finds nothing.
 */
export async function deletePublishedOutbox(db: Database, seconds: number): Promise<number> {
  return db.oneFirst(sql.type(deleted)`
    WITH gone AS (
      DELETE FROM outbox_rows WHERE id IN (
        SELECT r.id FROM outbox_published w CROSS JOIN LATERAL (
          SELECT id FROM outbox_rows r
          WHERE r.source_partition = w.source_partition AND r.id <= w.published_id AND r.created_at < now() - make_interval(secs => ${seconds})
          ORDER BY id LIMIT ${RETENTION_CHUNK}) r
        LIMIT ${RETENTION_CHUNK})
      RETURNING 1)
    SELECT count(*)::int AS deleted FROM gone`);
}
