-- Up Migration

-- What the HTTP command gateway produced, by Idempotency-Key (= commandId). A retried POST finds
-- its row and is answered from it, or re-sends the very bytes of the first attempt when the
-- broker never acknowledged them: the same commandId then carries the same payload, which the
-- processor drops as a duplicate rather than refusing as IDEMPOTENCY_KEY_REUSED.
CREATE TABLE gateway_commands (
  command_id     uuid PRIMARY KEY,
  fingerprint    text NOT NULL,
  application_id uuid NOT NULL,
  command_type   text NOT NULL,
  requested_by   text NOT NULL,
  value          bytea NOT NULL,
  requested_at   timestamptz NOT NULL DEFAULT now(),
  sent_at        timestamptz
);

-- Down Migration

DROP TABLE gateway_commands;
