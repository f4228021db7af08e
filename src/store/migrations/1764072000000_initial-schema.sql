-- Up Migration

CREATE TABLE applications (
  id               uuid PRIMARY KEY,
  applicant_id     text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('NEW_LISTING', 'INFO_CHANGE')),
  listing_id       uuid,
  content_type     text NOT NULL CHECK (content_type IN ('RESTAURANT', 'PERFORMANCE', 'EXHIBITION')),
  status           text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  details          jsonb NOT NULL,
  version          integer NOT NULL CHECK (version >= 1),
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  decided_at       timestamptz,
  decided_by       text,
  rejection_reason text,
  decision_note    text,
  CHECK (kind = 'NEW_LISTING' OR listing_id IS NOT NULL)
);
-- Guarantee 10: one PENDING change per listing, whatever the processor believes.
CREATE UNIQUE INDEX applications_one_pending_change_per_listing
  ON applications (listing_id) WHERE status = 'PENDING' AND kind = 'INFO_CHANGE';
-- Keyset pagination, newest first, overall and per filter the API offers.
CREATE INDEX applications_newest ON applications (created_at DESC, id DESC);
CREATE INDEX applications_by_applicant ON applications (applicant_id, created_at DESC, id DESC);
CREATE INDEX applications_by_status ON applications (status, created_at DESC, id DESC);

CREATE TABLE listings (
  id                    uuid PRIMARY KEY,
  owner_id              text NOT NULL,
  content_type          text NOT NULL CHECK (content_type IN ('RESTAURANT', 'PERFORMANCE', 'EXHIBITION')),
  name                  text NOT NULL,
  description           text NOT NULL,
  contact               jsonb NOT NULL,
  address               jsonb NOT NULL,
  business_hours        jsonb NOT NULL,
  specific              jsonb NOT NULL,
  source_application_id uuid NOT NULL,
  version               integer NOT NULL CHECK (version >= 1),
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);
CREATE INDEX listings_by_owner ON listings (owner_id, created_at DESC, id DESC);

CREATE TABLE admin_action_log (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  admin_id       text,
  application_id uuid NOT NULL,
  action         text NOT NULL CHECK (action IN ('APPROVE', 'REJECT', 'DENIED')),
  reason         text,
  command_id     uuid NOT NULL UNIQUE,
  at             timestamptz NOT NULL
);
CREATE INDEX admin_action_log_by_application ON admin_action_log (application_id, id);
CREATE INDEX admin_action_log_by_admin ON admin_action_log (admin_id, id);

CREATE TABLE processed_commands (
  command_id     uuid PRIMARY KEY,
  payload_hash   bytea NOT NULL,
  application_id uuid NOT NULL,
  command_type   text NOT NULL,
  outcome        text NOT NULL,
  source_partition integer NOT NULL,
  source_offset  bigint NOT NULL,
  processed_at   timestamptz NOT NULL
);

CREATE TABLE application_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id       uuid NOT NULL UNIQUE,
  application_id uuid NOT NULL,
  command_id     uuid NOT NULL,
  version        integer NOT NULL,
  type           text NOT NULL,
  payload        jsonb NOT NULL,
  occurred_at    timestamptz NOT NULL
);
CREATE INDEX application_events_by_application ON application_events (application_id, id);

-- The relay drains rows in id order per source partition, which keeps per-key order.
CREATE TABLE outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         uuid NOT NULL UNIQUE,
  source_partition integer NOT NULL,
  topic            text NOT NULL,
  key              text,
  value            bytea,
  headers          jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  published_at     timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (source_partition, id) WHERE published_at IS NULL;

-- Down Migration

DROP TABLE outbox;
DROP TABLE application_events;
DROP TABLE processed_commands;
DROP TABLE admin_action_log;
DROP TABLE listings;
DROP TABLE applications;
