import { z } from 'zod';
import type { Database } from './db.ts';
import { sql } from './db.ts';
import type { StoredOutboxMessage } from './batch-store.ts';
import { outboxRow } from './tables.ts';

/** The key as the bytes the record carried, whichever column holds them. */
const unpublishedRow = outboxRow.pick({ id: true, event_id: true, source_partition: true, topic: true, value: true, headers: true })
  .extend({ key: outboxRow.shape.key_bytes });
const backlog = z.object({ count: z.bigint() });

/** What is above the partition's watermark (a crash or a failed send left it), oldest first. */
export async function unpublished(db: Database, partition: number, limit: number): Promise<StoredOutboxMessage[]> {
  const rows = await db.any(sql.type(unpublishedRow)`
    SELECT id, event_id, source_partition, topic, coalesce(key_bytes, convert_to(key, 'UTF8')) AS key, value, headers FROM outbox_rows
    WHERE source_partition = ${partition}
      AND id > coalesce((SELECT published_id FROM outbox_published WHERE source_partition = ${partition}), 0)
    ORDER BY id LIMIT ${limit}`);
  return rows.map((row) => ({
    id: String(row.id), eventId: row.event_id, sourcePartition: row.source_partition, topic: row.topic, key: row.key, value: row.value, headers: row.headers,
  }));
}

/**
 * Moves each partition's watermark up to the highest id of `rows`, which the broker acknowledged
 * together with every row of the partition below it (the relay publishes a partition in id
 * order; see the outbox-watermark migration for why ids grow in commit order). GREATEST: a late
 * mark never moves a watermark back. One upsert of a few rows, without waiting for the WAL flush
 * (synchronous_commit off for this statement's transaction only): a mark lost in a crash only
 * means the rows are published again, and consumers drop the copies by eventId.
 */
export async function markPublished(db: Database, rows: Pick<StoredOutboxMessage, 'id' | 'sourcePartition'>[]): Promise<void> {
  if (rows.length === 0) return;
  const highest = new Map<number, bigint>();
  for (const row of rows) {
    const id = BigInt(row.id);
    if ((highest.get(row.sourcePartition) ?? -1n) < id) highest.set(row.sourcePartition, id);
  }
  // One statement in its own implicit transaction; set_config(..., true) lasts until its commit.
  await db.query(sql.unsafe`
    INSERT INTO outbox_published (source_partition, published_id)
    SELECT mark.partition, mark.id
    FROM unnest(${sql.array([...highest.keys()], 'int4')}, ${sql.array([...highest.values()].map(String), 'int8')}) AS mark(partition, id),
      (SELECT set_config('synchronous_commit', 'off', true)) AS without_flush
    ON CONFLICT (source_partition) DO UPDATE SET
      published_id = GREATEST(outbox_published.published_id, EXCLUDED.published_id), published_at = now()`);
}

export async function outboxBacklog(db: Database): Promise<number> {
  return Number(await db.oneFirst(sql.type(backlog)`
    SELECT count(*) FROM outbox_rows r LEFT JOIN outbox_published w USING (source_partition)
    WHERE r.id > coalesce(w.published_id, 0)`));
}
