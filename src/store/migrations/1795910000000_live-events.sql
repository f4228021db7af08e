-- Up Migration

-- The console's live stream (GET /events) follows application_events without gaps. Ids alone
-- cannot say "everything up to here": concurrent transactions commit out of id order, so a
-- reader that saw id 11 may not yet see id 10. Each row therefore records the transaction that
-- wrote it. Every transaction whose id is below the oldest still running one
-- (pg_snapshot_xmin(pg_current_snapshot())) has ended, so the rows below that horizon are final:
-- a reader takes them in (written_by, id) order, and its position never has to go back.
ALTER TABLE application_events ADD COLUMN written_by xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX application_events_by_writer ON application_events (written_by, id);

-- One notification per writing statement, delivered at commit (PostgreSQL folds repeats within a
-- transaction): listeners read what is new instead of polling.
CREATE FUNCTION notify_application_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('application_events', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER application_events_notify AFTER INSERT ON application_events
  FOR EACH STATEMENT EXECUTE FUNCTION notify_application_events();

-- Down Migration

DROP TRIGGER application_events_notify ON application_events;
DROP FUNCTION notify_application_events();
DROP INDEX application_events_by_writer;
ALTER TABLE application_events DROP COLUMN written_by;
