import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { sql } from './db.ts';
import type { AdminAction, Application, Listing, ProcessedCommand, RecordedEvent, ReviewerNote } from '../domain/types.ts';
import {
  adminActionToRow, applicationFromRow, applicationToRow, eventToRow, listingFromRow, listingToRow, processedToRow, reviewerNoteToRow,
} from './rows.ts';
import { applicationRow, jsonTime, listingRow, outboxRow } from './tables.ts';
/** A record the batch sends, once committed: `eventId` is its identity for consumers (the `event-id` header). */
export interface OutboxMessage { eventId: string; sourcePartition: number; topic: string; key: Buffer | null; value: Buffer | null; headers: Record<string, string> }
export interface StoredOutboxMessage extends OutboxMessage { id: string }

/** A dead letter that may be a command the gateway sent: its record key and bytes find it in gateway_commands. */
export interface DeadLetterWrite { applicationId: string; value: Buffer; code: string; message: string; sourcePartition: number; sourceOffset: string }

export interface BatchWrite {
  applications: Application[];
  listings: Listing[];
  processed: ProcessedCommand[];
  adminActions: AdminAction[];
  events: RecordedEvent[];
  outbox: OutboxMessage[];
  deadLetters: DeadLetterWrite[];
  reviewerNotes: ReviewerNote[];
}

/**
 * Rows as one jsonb parameter, serialised with JSON.stringify and cast in SQL. slonik's sql.jsonb
 * runs safe-stable-stringify and then scans the text for characters PostgreSQL refuses: with
 * batches of thousands of rows that was ~8% of the processor's CPU (profile in docs/performance.md).
 * Sent in jsonb's binary format (a version byte, 1, then the text), so that the text, megabytes
 * for a round, is dropped at once instead of living in V8's large-object space until the query
 * returns and the next full collection: about 30 MB less RSS draining, measured.
 * NUL, the one character jsonb refuses, never reaches here: the envelope dead-letters commands
 * that hold it, keys that hold it travel as base64 to key_bytes, and dead-letter headers are
 * cleaned of it.
 */
const asRecords = (rows: object[]) => {
  const text = JSON.stringify(rows);
  const bytes = Buffer.allocUnsafe(1 + Buffer.byteLength(text));
  bytes[0] = 1;
  bytes.write(text, 1);
  return sql.fragment`${sql.binary(bytes)}::jsonb`;
};

const base64 = (bytes: Buffer | null) => bytes?.toString('base64') ?? null;

const deadLetterToRecord = (letter: DeadLetterWrite) => ({
  application_id: letter.applicationId, value: base64(letter.value), code: letter.code, message: letter.message,
  source_partition: letter.sourcePartition, source_offset: letter.sourceOffset,
});

const applicationJson = applicationRow.extend({
  created_at: jsonTime, updated_at: jsonTime, decided_at: jsonTime.nullable(), review_claimed_at: jsonTime.nullable(), review_claim_expires_at: jsonTime.nullable(),
});
const listingJson = listingRow.extend({ created_at: jsonTime, updated_at: jsonTime });
/** What the write returns: schemas built once, not per round (zod compiles a new schema's parser at its first parse). */
const insertedRow = outboxRow.pick({ id: true, event_id: true });
const loadedRow = z.object({ kind: z.enum(['moved', 'application', 'known', 'listing', 'pending']), key: z.string(), value: z.string().nullable(), row_data: z.unknown() });

export interface BatchLoad {
  /** Partitions whose claim another instance took over: nothing else is loaded then. */
  moved: number[];
  applications: Map<string, Application>;
  /** commandId -> payload hash (hex) of the commands already processed. */
  known: Map<string, string>;
  listings: Map<string, Listing>;
  /** listingId -> its PENDING INFO_CHANGE application. */
  pendingChanges: Map<string, string>;
}

export interface BatchAsk { claims: readonly { partition: number; token: string }[]; applicationIds: string[]; commandIds: string[]; listingIds: string[] }

/**
 * Everything a batch reads, in one statement (the load_batch function: claims held, rows
 * locked in id order so that concurrent batches never wait on each other in a cycle, and each
 * read after a lock on a fresh snapshot). The listings are those `listingIds` name and those of
 * the locked applications.
 */
export const loadQuery = (asked: BatchAsk) => sql.type(loadedRow)`SELECT * FROM load_batch(
    ${sql.array(asked.claims.map((claim) => claim.partition), 'int4')}, ${sql.array(asked.claims.map((claim) => claim.token), 'int8')},
    ${sql.array(asked.applicationIds, 'uuid')}, ${sql.array(asked.commandIds, 'uuid')}, ${sql.array(asked.listingIds, 'uuid')})`;

export function loadedFrom(rows: readonly z.output<typeof loadedRow>[]): BatchLoad {
  const load: BatchLoad = { moved: [], applications: new Map(), known: new Map(), listings: new Map(), pendingChanges: new Map() };
  for (const row of rows) {
    switch (row.kind) {
      case 'moved': load.moved.push(Number(row.key)); break;
      case 'application': load.applications.set(row.key, applicationFromRow(applicationJson.parse(row.row_data))); break;
      case 'known': load.known.set(row.key, row.value!); break;
      case 'listing': load.listings.set(row.key, listingFromRow(listingJson.parse(row.row_data))); break;
      case 'pending': load.pendingChanges.set(row.key, row.value!); break;
    }
  }
  return load;
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
 * load was most of the batch's transaction time. A dead letter the gateway sent is recorded by
 * its commandId here too, so GET /commands/:commandId answers DEAD_LETTERED exactly when the
 * dead letter is committed. It returns the outbox rows actually inserted (see storedFrom).
 */
export function writeQuery(batch: BatchWrite) {
  const outboxRecords = batch.outbox.map((message, ord) => {
    const asText = message.key !== null && isUtf8(message.key) && !message.key.includes(0);
    return {
      ord, event_id: message.eventId, source_partition: message.sourcePartition, topic: message.topic, headers: message.headers,
      key: asText ? message.key!.toString('utf8') : null, key_bytes: asText ? null : base64(message.key), value: base64(message.value),
    };
  });
  return sql.type(insertedRow)`
    WITH written_applications AS (
      INSERT INTO applications
      SELECT * FROM jsonb_populate_recordset(NULL::applications, ${asRecords(batch.applications.map(applicationToRow))})
      ON CONFLICT (id) DO UPDATE SET
        listing_id = EXCLUDED.listing_id, status = EXCLUDED.status, details = EXCLUDED.details, version = EXCLUDED.version,
        updated_at = EXCLUDED.updated_at, decided_at = EXCLUDED.decided_at, decided_by = EXCLUDED.decided_by,
        rejection_reason = EXCLUDED.rejection_reason, decision_note = EXCLUDED.decision_note,
        review_claimed_by = EXCLUDED.review_claimed_by, review_claimed_at = EXCLUDED.review_claimed_at,
        review_claim_expires_at = EXCLUDED.review_claim_expires_at
    ), written_listings AS (
      INSERT INTO listings
      SELECT * FROM jsonb_populate_recordset(NULL::listings, ${asRecords(batch.listings.map(listingToRow))})
      ON CONFLICT (id) DO UPDATE SET
        contact = EXCLUDED.contact, address = EXCLUDED.address, business_hours = EXCLUDED.business_hours, specific = EXCLUDED.specific,
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
    ), written_notes AS (
      INSERT INTO reviewer_notes (note_id, application_id, admin_id, text, command_id, at)
      SELECT note_id, application_id, admin_id, text, command_id, at
      FROM jsonb_to_recordset(${asRecords(batch.reviewerNotes.map(reviewerNoteToRow))}) AS r(note_id uuid, application_id uuid, admin_id text, text text, command_id uuid, at timestamptz)
      ON CONFLICT (command_id) DO NOTHING
    ), written_dead_letters AS (
      INSERT INTO dead_lettered_commands (command_id, code, message, source_partition, source_offset)
      SELECT g.command_id, r.code, r.message, r.source_partition, r.source_offset
      FROM jsonb_to_recordset(${asRecords(batch.deadLetters.map(deadLetterToRecord))})
        AS r(application_id uuid, value text, code text, message text, source_partition integer, source_offset bigint)
      JOIN gateway_commands g ON g.application_id = r.application_id AND g.value = decode(r.value, 'base64')
      ON CONFLICT (command_id) DO NOTHING
    )
    INSERT INTO outbox_rows (event_id, source_partition, topic, key, key_bytes, value, headers)
    SELECT event_id, source_partition, topic, key, decode(key_bytes, 'base64'), decode(value, 'base64'), headers
    FROM jsonb_to_recordset(${asRecords(outboxRecords)}) AS r(ord integer, event_id uuid, source_partition integer, topic text, key text, key_bytes text, value text, headers jsonb)
    WHERE NOT EXISTS (SELECT 1 FROM application_events e WHERE e.event_id = r.event_id)
    ORDER BY r.ord
    ON CONFLICT (event_id) DO NOTHING
    RETURNING id, event_id`;
}

/** The outbox messages `writeQuery` inserted, from the rows it returned. */
export function storedFrom(inserted: readonly z.output<typeof insertedRow>[], batch: BatchWrite): StoredOutboxMessage[] {
  // The first message of an eventId, as the INSERT keeps it (ORDER BY ord, ON CONFLICT DO NOTHING):
  // a reused key and its redelivery in one batch derive one eventId for two contents.
  const byEventId = new Map<string, OutboxMessage>();
  for (const message of batch.outbox) if (!byEventId.has(message.eventId)) byEventId.set(message.eventId, message);
  // In id order, which is the batch's order (ORDER BY ord above: the anti-join may reorder rows),
  // and the order the relay publishes in, here as in a drain.
  return inserted
    .map((row) => ({ ...byEventId.get(row.event_id)!, id: String(row.id) }))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
