-- Up Migration

-- A dead letter keeps the key bytes of the record it copies, whatever they are. Keys that text
-- cannot hold (a NUL byte, bytes that are not UTF-8) go to key_bytes, with key NULL; before,
-- such a key failed the batch on every retry and stalled its partition. Adding a nullable column
-- rewrites nothing and holds its lock for an instant, and instances of the previous version,
-- which know only key, keep working during a rolling upgrade.
ALTER TABLE outbox ADD COLUMN key_bytes bytea;

-- Down Migration

ALTER TABLE outbox DROP COLUMN key_bytes;
