import { z } from 'zod';
import { sql, type Database } from './db.ts';

/** Rows deleted per statement: short transactions that never hold many locks or bloat one snapshot. */
export const RETENTION_CHUNK = 5000;

/**
 * The tables the retention sweep bounds, each with its key and the time a row ages from. An
 * outbox row ages from its publication: an unpublished row (published_at NULL) is never older.
 */
const SWEPT = {
  outbox: { key: 'id', time: 'published_at' },
  processed_commands: { key: 'command_id', time: 'processed_at' },
  gateway_commands: { key: 'command_id', time: 'requested_at' },
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
