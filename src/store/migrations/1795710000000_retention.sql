-- Up Migration

-- The retention sweep (src/ops/retention.ts) deletes published outbox rows, and processed
-- commands and the gateway's recorded commands past the idempotency window, in short chunks, oldest first: these indexes let each chunk start
-- at the oldest row instead of scanning the table.
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX processed_commands_processed_at ON processed_commands (processed_at);
CREATE INDEX gateway_commands_requested_at ON gateway_commands (requested_at);

-- Down Migration

DROP INDEX gateway_commands_requested_at;
DROP INDEX processed_commands_processed_at;
DROP INDEX outbox_published;
