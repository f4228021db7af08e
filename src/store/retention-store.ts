import { z } from 'zod';
import { sql, type Database } from './db.ts';

/** Rows deleted per statement: short transactions that never hold many locks or bloat one snapshot. */
export const RETENTION_CHUNK = 5000;

const deleted = z.object({ deleted: z.number().int() });

/**
 * Published outbox rows older than `seconds`, oldest first. Rows locked by another instance's
 * sweep are skipped, not waited for. Unpublished rows are never touched.
 */
export async function deletePublishedOutbox(db: Database, seconds: number): Promise<number> {
  return db.oneFirst(sql.type(deleted)`
    WITH gone AS (
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => ${seconds})
        ORDER BY published_at LIMIT ${RETENTION_CHUNK} FOR UPDATE SKIP LOCKED)
      RETURNING 1)
    SELECT count(*)::int AS deleted FROM gone`);
}

/** Processed commands older than the idempotency window: a redelivery of one is then a new command. */
export async function deleteProcessedCommands(db: Database, days: number): Promise<number> {
  return db.oneFirst(sql.type(deleted)`
    WITH gone AS (
      DELETE FROM processed_commands WHERE command_id IN (
        SELECT command_id FROM processed_commands WHERE processed_at < now() - make_interval(days => ${days})
        ORDER BY processed_at LIMIT ${RETENTION_CHUNK} FOR UPDATE SKIP LOCKED)
      RETURNING 1)
    SELECT count(*)::int AS deleted FROM gone`);
}
