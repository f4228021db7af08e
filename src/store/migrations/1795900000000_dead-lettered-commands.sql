-- Up Migration

-- Commands the gateway sent that the processor dead-lettered, by commandId, so that
-- GET /commands/:commandId answers DEAD_LETTERED (with the dead letter's code and message)
-- instead of PENDING for ever. Written in the transaction that writes the dead letter to the
-- outbox, matched to the gateway's record by the record key (the applicationId) and the very
-- bytes the gateway sent: that also finds commands whose bytes do not decode at all.
CREATE TABLE dead_lettered_commands (
  command_id       uuid PRIMARY KEY,
  code             text NOT NULL,
  message          text NOT NULL,
  source_partition integer NOT NULL,
  source_offset    bigint NOT NULL,
  dead_lettered_at timestamptz NOT NULL DEFAULT now()
);

-- The match above, and the retention sweep (src/ops/retention.ts) of both tables.
CREATE INDEX gateway_commands_by_application ON gateway_commands (application_id);
CREATE INDEX dead_lettered_commands_at ON dead_lettered_commands (dead_lettered_at);

-- Down Migration

DROP TABLE dead_lettered_commands;
DROP INDEX gateway_commands_by_application;
