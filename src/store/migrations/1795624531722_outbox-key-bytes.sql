-- Up Migration

-- A dead letter keeps the key bytes of the record it copies, whatever they are: as text, a key
-- with a NUL byte (or bytes that are not UTF-8) could not be stored, and the batch carrying it
-- would fail on every retry, stalling its partition.
ALTER TABLE outbox ALTER COLUMN key TYPE bytea USING convert_to(key, 'UTF8');

-- Down Migration

ALTER TABLE outbox ALTER COLUMN key TYPE text USING convert_from(key, 'UTF8');
