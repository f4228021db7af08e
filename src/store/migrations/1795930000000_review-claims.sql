-- Up Migration

-- The review claim a MASTER holds on an application (the processor writes it from ReviewClaimed
-- and clears it on release or decision). Kept even when expired: a claim ends at its expiry
-- without an event, and readers compare review_claim_expires_at with the time they judge at.
ALTER TABLE applications
  ADD COLUMN review_claimed_by text,
  ADD COLUMN review_claimed_at timestamptz,
  ADD COLUMN review_claim_expires_at timestamptz,
  ADD CONSTRAINT applications_review_claim_whole CHECK (
    (review_claimed_by IS NULL) = (review_claimed_at IS NULL) AND (review_claimed_by IS NULL) = (review_claim_expires_at IS NULL));

ALTER TABLE admin_action_log DROP CONSTRAINT admin_action_log_action_check;
ALTER TABLE admin_action_log ADD CONSTRAINT admin_action_log_action_check
  CHECK (action IN ('APPROVE', 'REJECT', 'DENIED', 'CLAIM', 'TAKE_OVER', 'RELEASE'));

-- Reviewer notes: MASTER routes only. Their text is on no topic and in no history row; a
-- redelivered command finds its note by command_id and adds nothing.
CREATE TABLE reviewer_notes (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  note_id        uuid NOT NULL UNIQUE,
  application_id uuid NOT NULL,
  admin_id       text NOT NULL,
  text           text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  command_id     uuid NOT NULL UNIQUE,
  at             timestamptz NOT NULL
);
CREATE INDEX reviewer_notes_by_application ON reviewer_notes (application_id, id);

-- Down Migration

DROP TABLE reviewer_notes;
ALTER TABLE admin_action_log DROP CONSTRAINT admin_action_log_action_check;
ALTER TABLE admin_action_log ADD CONSTRAINT admin_action_log_action_check CHECK (action IN ('APPROVE', 'REJECT', 'DENIED'));
ALTER TABLE applications DROP CONSTRAINT applications_review_claim_whole,
  DROP COLUMN review_claimed_by, DROP COLUMN review_claimed_at, DROP COLUMN review_claim_expires_at;
