import { isUtf8 } from 'node:buffer';
import type { DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { sql } from './db.ts';
import type { AdminAction, Application, Listing, ProcessedCommand, RecordedEvent } from '../domain/types.ts';
import { adminActionToRow, applicationFromRow, applicationToRow, eventToRow, listingFromRow, listingToRow, processedToRow } from './rows.ts';
import { applicationRow, listingRow, outboxRow, processedCommandRow } from './tables.ts';
/** A record the batch sends, once committed: `eventId` is its identity for consumers (the `event-id` header). */
export interface OutboxMessage { eventId: string; sourcePartition: number; topic: string; key: Buffer | null; value: Buffer | null; headers: Record<string, string> }
export interface StoredOutboxMessage extends OutboxMessage { id: string }

export interface BatchWrite {
  applications: Application[];
  listings: Listing[];
  processed: ProcessedCommand[];
  adminActions: AdminAction[];
  events: RecordedEvent[];
  outbox: OutboxMessage[];
}

/**
 * Rows as one jsonb parameter, serialised with JSON.stringify and cast in SQL. slonik's sql.jsonb
 * runs safe-stable-stringify and then scans the text for characters PostgreSQL refuses: with
 * batches of thousands of rows that was ~8% of the processor's CPU (profile in docs/performance.md).
 * NUL, the one character jsonb refuses, never reaches here: the envelope dead-letters commands
 * that hold it, keys that hold it travel as base64 to key_bytes, and dead-letter headers are
 * cleaned of it.
 */
const asRecords = (rows: object[]) => sql.fragment`${JSON.stringify(rows)}::jsonb`;

const base64 = (bytes: Buffer | null) => bytes?.toString('base64') ?? null;

/** The hash as hex text, the form the processor compares a redelivered command's hash in. */
const knownCommand = processedCommandRow.pick({ command_id: true }).extend({ payload_hash: z.string() });

export async function knownCommands(tx: DatabaseTransactionConnection, commandIds: string[]): Promise<Map<string, string>> {
  if (commandIds.length === 0) return new Map();
  const rows = await tx.any(sql.type(knownCommand)`
    SELECT command_id, encode(payload_hash, 'hex') AS payload_hash FROM processed_commands WHERE command_id = ANY(${sql.array(commandIds, 'uuid')})`);
  return new Map(rows.map((row) => [row.command_id, row.payload_hash]));
}

/** Locks in id order so that concurrent batches never wait on each other in a cycle. */
export async function lockApplications(tx: DatabaseTransactionConnection, ids: string[]): Promise<Map<string, Application>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.any(sql.type(applicationRow)`SELECT * FROM applications WHERE id = ANY(${sql.array(ids, 'uuid')}) ORDER BY id FOR UPDATE`);
  return new Map(rows.map((row) => [row.id, applicationFromRow(row)]));
}

/** A pending INFO_CHANGE always names its listing (the table's CHECK). */
const pendingChange = applicationRow.pick({ id: true }).extend({ listing_id: applicationRow.shape.listing_id.unwrap() });

/**
 * Locks the listings first, then reads their pending changes: a concurrent batch submitting a
 * change for the same listing waits on the lock and then sees this batch's committed rows.
 */
export async function lockListings(tx: DatabaseTransactionConnection, ids: string[]): Promise<{ listings: Map<string, Listing>; pendingChanges: Map<string, string> }> {
  if (ids.length === 0) return { listings: new Map(), pendingChanges: new Map() };
  const idArray = sql.array(ids, 'uuid');
  const rows = await tx.any(sql.type(listingRow)`SELECT * FROM listings WHERE id = ANY(${idArray}) ORDER BY id FOR UPDATE`);
  const pending = await tx.any(sql.type(pendingChange)`
    SELECT listing_id, id FROM applications WHERE listing_id = ANY(${idArray}) AND status = 'PENDING' AND kind = 'INFO_CHANGE'`);
  return {
    listings: new Map(rows.map((row) => [row.id, listingFromRow(row)])),
    pendingChanges: new Map(pending.map((row) => [row.listing_id, row.id])),
  };
}

/**
 * An event whose id the history already holds (the statement's snapshot, so not this batch's
 * own) is never put in the outbox again: one eventId, one content, even after the published
 * row left the outbox. Ids are derived from the commandId, and a command can be folded again
 * with a different outcome: a reused commandId delivered twice, a redelivery past the
 * idempotency window.
 *
 * Every table of a batch in ONE statement (data-modifying CTEs, each reading its rows from one
 * jsonb parameter; an empty array inserts nothing): one round trip instead of six, which under
 * load was most of the batch's transaction time. Returns the outbox rows actually inserted.
 */
export async function writeBatch(tx: DatabaseTransactionConnection, batch: BatchWrite): Promise<StoredOutboxMessage[]> {
  const outboxRecords = batch.outbox.map((message, ord) => {
    const asText = message.key !== null && isUtf8(message.key) && !message.key.includes(0);
    return {
      ord, event_id: message.eventId, source_partition: message.sourcePartition, topic: message.topic, headers: message.headers,
      key: asText ? message.key!.toString('utf8') : null, key_bytes: asText ? null : base64(message.key), value: base64(message.value),
    };
  });
  const inserted = await tx.any(sql.type(outboxRow.pick({ id: true, event_id: true }))`
    WITH written_applications AS (
      INSERT INTO applications
      SELECT * FROM jsonb_populate_recordset(NULL::applications, ${asRecords(batch.applications.map(applicationToRow))})
      ON CONFLICT (id) DO UPDATE SET
        listing_id = EXCLUDED.listing_id, status = EXCLUDED.status, details = EXCLUDED.details, version = EXCLUDED.version,
        updated_at = EXCLUDED.updated_at, decided_at = EXCLUDED.decided_at, decided_by = EXCLUDED.decided_by,
        rejection_reason = EXCLUDED.rejection_reason, decision_note = EXCLUDED.decision_note
    ), written_listings AS (
      INSERT INTO listings
      SELECT * FROM jsonb_populate_recordset(NULL::listings, ${asRecords(batch.listings.map(listingToRow))})
      ON CONFLICT (id) DO UPDATE SET
        contact = EXCLUDED.contact, address = EXCLUDED.address, business_hours = EXCLUDED.business_hours,
        source_application_id = EXCLUDED.source_application_id, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
    ), written_processed AS (
      INSERT INTO processed_commands (command_id, payload_hash, application_id, command_type, outcome, source_partition, source_offset, processed_at)
      SELECT command_id, decode(payload_hash, 'hex'), application_id, command_type, outcome, source_partition, source_offset, processed_at
      FROM jsonb_to_recordset(${asRecords(batch.processed.map(processedToRow))}) AS r(command_id uuid, payload_hash text, application_id uuid, command_type text,
        outcome text, source_partition integer, source_offset bigint, processed_at timestamptz)
    ), written_actions AS (
      INSERT INTO admin_action_log (admin_id, application_id, action, reason, command_id, at)
      SELECT admin_id, application_id, action, reason, command_id, at
      FROM jsonb_to_recordset(${asRecords(batch.adminActions.map(adminActionToRow))}) AS r(admin_id text, application_id uuid, action text, reason text, command_id uuid, at timestamptz)
    ), written_events AS (
      INSERT INTO application_events (event_id, application_id, command_id, version, type, payload, occurred_at)
      SELECT event_id, application_id, command_id, version, type, payload, occurred_at
      FROM jsonb_to_recordset(${asRecords(batch.events.map(eventToRow))}) AS r(event_id uuid, application_id uuid, command_id uuid, version integer, type text, payload jsonb, occurred_at timestamptz)
      ON CONFLICT (event_id) DO NOTHING
    )
    INSERT INTO outbox_rows (event_id, source_partition, topic, key, key_bytes, value, headers)
    SELECT event_id, source_partition, topic, key, decode(key_bytes, 'base64'), decode(value, 'base64'), headers
    FROM jsonb_to_recordset(${asRecords(outboxRecords)}) AS r(ord integer, event_id uuid, source_partition integer, topic text, key text, key_bytes text, value text, headers jsonb)
    WHERE NOT EXISTS (SELECT 1 FROM application_events e WHERE e.event_id = r.event_id)
    ORDER BY r.ord
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, event_id`);
  const byEventId = new Map(batch.outbox.map((message) => [message.eventId, message]));
  // In id order, which is the batch's order (ORDER BY ord above: the anti-join may reorder rows),
  // and the order the relay publishes in, here as in a drain.
  return inserted
    .map((row) => ({ ...byEventId.get(row.event_id)!, id: String(row.id) }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
