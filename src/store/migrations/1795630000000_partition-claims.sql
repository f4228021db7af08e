-- Up Migration

-- Fencing: the instance that took a command-topic partition over last holds its claim, and only
-- the holder's batch transactions commit. An instance that lost the partition without knowing
-- (paused past its session timeout, or slow to rejoin) fails its next batch instead of writing,
-- and its last committed rows are published by the new holder, in order, after its claim.
CREATE SEQUENCE partition_claim_tokens;
CREATE TABLE partition_claims (
  source_partition integer PRIMARY KEY,
  token            bigint NOT NULL,
  claimed_at       timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE partition_claims;
DROP SEQUENCE partition_claim_tokens;
