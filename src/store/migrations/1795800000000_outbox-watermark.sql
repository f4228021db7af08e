-- Up Migration

-- The outbox becomes insert-only. Instead of an UPDATE of published_at on every row (a new tuple
-- version and index entries per row, then a DELETE by the sweep), each source partition keeps a
-- watermark: the highest outbox id of that partition whose row, and every row of the partition
-- below it, the broker acknowledged.
--
-- The invariant it relies on: a partition's ids grow in the order its transactions commit. One
-- instance at a time holds a partition's claim (partition_claims), its batch transactions hold
-- the claim FOR SHARE, and a new holder's claim waits for them; within an instance a partition
-- has one transaction in flight at a time. Ids come from one identity sequence with a cache of 1,
-- so a transaction that commits later never holds a smaller id of the same partition. The relay
-- publishes a partition's rows in id order, so "every row of p up to W was acknowledged" holds.
ALTER TABLE outbox RENAME TO outbox_rows;
DROP INDEX outbox_published;
CREATE TABLE outbox_published (
  source_partition integer PRIMARY KEY,
  published_id     bigint NOT NULL,
  published_at     timestamptz NOT NULL DEFAULT now()
);
-- Rows published before this migration: the watermark stops below the partition's first
-- unpublished row (anything published above it is published again, at least once).
INSERT INTO outbox_published (source_partition, published_id)
SELECT source_partition, coalesce(min(id) FILTER (WHERE published_at IS NULL) - 1, max(id))
FROM outbox_rows GROUP BY source_partition;
DROP INDEX outbox_unpublished;
ALTER TABLE outbox_rows DROP COLUMN published_at;
CREATE INDEX outbox_rows_by_partition ON outbox_rows (source_partition, id);

-- What readers saw before: a row with published_at, set once the watermark passed it (the time is
-- the watermark's last move, at or after the row's own publication).
CREATE VIEW outbox AS
SELECT r.id, r.event_id, r.source_partition, r.topic, r.key, r.key_bytes, r.value, r.headers, r.created_at,
       CASE WHEN r.id <= w.published_id THEN w.published_at END AS published_at
FROM outbox_rows r LEFT JOIN outbox_published w USING (source_partition);

-- Down Migration

DROP VIEW outbox;
ALTER TABLE outbox_rows ADD COLUMN published_at timestamptz;
UPDATE outbox_rows r SET published_at = w.published_at FROM outbox_published w
WHERE w.source_partition = r.source_partition AND r.id <= w.published_id;
DROP INDEX outbox_rows_by_partition;
DROP TABLE outbox_published;
ALTER TABLE outbox_rows RENAME TO outbox;
CREATE INDEX outbox_unpublished ON outbox (source_partition, id) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
