import { createHash } from 'node:crypto';
import type { Consumer, KafkaMessage, Message, Producer } from 'kafkajs';
import type pg from 'pg';
import type { TokenVerifier } from '../../src/auth/tokens.ts';
import type { Topics } from '../../src/config.ts';
import { decide, evolve, evolveListing } from '../../src/processors/decider/index.ts';
import type { AdminAuth, Application, Command, DomainEvent, Listing } from '../../src/domain/types.ts';
import { outcomeOf } from '../../src/processors/outcome.ts';
import { adminActionToRow, eventToRow } from '../../src/store/rows.ts';
import { commandFromWire, withAdmin } from '../../src/schemas/commands.ts';
import type { Serde } from '../../src/schemas/serde.ts';

/**
 * The implementation a team typically writes first: kafkajs `eachMessage`, and for every
 * command one database transaction (dedupe, lock, load, decide, write state, audit, history and
 * outbox rows) and one producer send, then mark the outbox rows published. It reuses the pure
 * decider, the schemas and the per-command outcome mapping (src/processors/outcome.ts, which
 * builds rows and messages for one command), and nothing of the batch machinery. It writes the
 * same tables and emits the same messages as the processor, so the comparison is about batching.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (value: unknown) => (value === null || value === undefined ? null : value instanceof Date ? value.getTime() : Date.parse(String(value)));

function applicationFromRow(r: Record<string, any>): Application {
  return {
    id: r.id, applicantId: r.applicant_id, kind: r.kind, listingId: r.listing_id, contentType: r.content_type, status: r.status,
    details: r.details, version: r.version, createdAt: ms(r.created_at)!, updatedAt: ms(r.updated_at)!, decidedAt: ms(r.decided_at),
    decidedBy: r.decided_by, rejectionReason: r.rejection_reason, decisionNote: r.decision_note,
    reviewClaim: r.review_claimed_by === null ? null : { adminId: r.review_claimed_by, since: ms(r.review_claimed_at)!, expiresAt: ms(r.review_claim_expires_at)! },
  };
}

function listingFromRow(r: Record<string, any>): Listing {
  return {
    id: r.id, ownerId: r.owner_id, contentType: r.content_type, name: r.name, description: r.description, contact: r.contact,
    address: r.address, businessHours: r.business_hours, specific: r.specific, businessRegistration: r.business_registration, sourceApplicationId: r.source_application_id,
    version: r.version, createdAt: ms(r.created_at)!, updatedAt: ms(r.updated_at)!,
  };
}

async function verifyAdmin(verifier: TokenVerifier, token: string, issuedAt: number): Promise<AdminAuth> {
  const verdict = await verifier.verify(token, new Date(issuedAt));
  if (!verdict.ok) return { ok: false, adminId: verdict.subject, reason: verdict.reason };
  if (verdict.principal.role !== 'MASTER') return { ok: false, adminId: verdict.principal.subject, reason: `role ${verdict.principal.role} may not decide` };
  return { ok: true, adminId: verdict.principal.subject };
}

export interface NaiveDeps {
  pool: pg.Pool;
  producer: Producer;
  serde: Serde;
  verifier: TokenVerifier;
  topics: Topics;
}

interface OutRow { event_id: string; topic: string; key: string | null; value: Buffer | null; headers: Record<string, string> }

/** Handles one record; resolves once its outcome is committed, sent and marked published. */
export async function handle(message: KafkaMessage, partition: number, deps: NaiveDeps): Promise<void> {
  const { pool, serde, topics } = deps;
  const decoded = await serde.decodeCommand(message.value);
  if (!decoded.ok) {
    if (decoded.code === 'REGISTRY_UNAVAILABLE') throw new Error(decoded.message);
    await deps.producer.send({
      topic: topics.dlq, acks: -1,
      messages: [{ key: message.key, value: message.value, headers: { 'error.code': decoded.code, 'error.message': decoded.message, 'source.topic': topics.commands, 'source.partition': String(partition), 'source.offset': message.offset } }],
    });
    return;
  }
  const wire = decoded.value;
  const canonical = JSON.stringify(wire);
  const payloadHash = createHash('sha256').update(canonical).digest('hex');
  const unverified = commandFromWire(wire);
  const admin = unverified.type === 'ApproveApplication' || unverified.type === 'RejectApplication'
    ? await verifyAdmin(deps.verifier, unverified.adminToken, unverified.issuedAt)
    : null;
  const command: Command = withAdmin(unverified, admin);
  const at = Date.now();

  const client = await pool.connect();
  let outbox: (OutRow & { id: string })[] = [];
  try {
    await client.query('BEGIN');
    const seen = await client.query(`SELECT encode(payload_hash, 'hex') AS hash FROM processed_commands WHERE command_id = $1`, [command.commandId]);
    const seenHash = seen.rows[0]?.hash as string | undefined;
    if (seenHash === payloadHash) {
      await client.query('COMMIT');
      return;
    }
    const appRows = await client.query('SELECT * FROM applications WHERE id = $1 FOR UPDATE', [command.applicationId]);
    const before = appRows.rows[0] ? applicationFromRow(appRows.rows[0]) : null;
    let events: DomainEvent[];
    let application = before;
    let listing: Listing | null = null;
    if (seenHash !== undefined) {
      events = [{ type: 'CommandRejected', commandType: command.type, code: 'IDEMPOTENCY_KEY_REUSED', message: 'this commandId was already used for a different command' }];
    } else {
      const listingId = command.type === 'SubmitApplication' ? command.listingId : before?.listingId ?? null;
      let current: Listing | null = null;
      let pendingChangeId: string | null = null;
      if (listingId && /^[0-9a-f-]{36}$/i.test(listingId)) {
        const listingRows = await client.query('SELECT * FROM listings WHERE id = $1 FOR UPDATE', [listingId]);
        current = listingRows.rows[0] ? listingFromRow(listingRows.rows[0]) : null;
        const pending = await client.query(`SELECT id FROM applications WHERE listing_id = $1 AND status = 'PENDING' AND kind = 'INFO_CHANGE'`, [listingId]);
        const other = pending.rows.find((row) => row.id !== command.applicationId);
        pendingChangeId = other?.id ?? null;
      }
      events = decide(before, command, { listing: current, pendingChangeId, reviewClaimMs: 15 * 60_000 });
      for (const event of events) {
        application = evolve(application, event, { applicationId: command.applicationId, at });
        if (event.type === 'ApplicationApproved') listing = evolveListing(current, event, { applicationId: command.applicationId, at });
      }
      if (application && application !== before) {
        const a = application;
        await client.query(`
          INSERT INTO applications (id, applicant_id, kind, listing_id, content_type, status, details, version, created_at, updated_at, decided_at, decided_by, rejection_reason, decision_note)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
          ON CONFLICT (id) DO UPDATE SET listing_id = EXCLUDED.listing_id, status = EXCLUDED.status, details = EXCLUDED.details, version = EXCLUDED.version,
            updated_at = EXCLUDED.updated_at, decided_at = EXCLUDED.decided_at, decided_by = EXCLUDED.decided_by, rejection_reason = EXCLUDED.rejection_reason, decision_note = EXCLUDED.decision_note`,
        [a.id, a.applicantId, a.kind, a.listingId, a.contentType, a.status, JSON.stringify(a.details), a.version, iso(a.createdAt), iso(a.updatedAt), iso(a.decidedAt), a.decidedBy, a.rejectionReason, a.decisionNote]);
      }
      if (listing) {
        const l = listing;
        await client.query(`
          INSERT INTO listings (id, owner_id, content_type, name, description, contact, address, business_hours, specific, source_application_id, version, created_at, updated_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
          ON CONFLICT (id) DO UPDATE SET contact = EXCLUDED.contact, address = EXCLUDED.address, business_hours = EXCLUDED.business_hours,
            source_application_id = EXCLUDED.source_application_id, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
        [l.id, l.ownerId, l.contentType, l.name, l.description, JSON.stringify(l.contact), JSON.stringify(l.address), JSON.stringify(l.businessHours), JSON.stringify(l.specific), l.sourceApplicationId, l.version, iso(l.createdAt), iso(l.updatedAt)]);
      }
      const rejection = events.find((event) => event.type === 'CommandRejected');
      await client.query(`
        INSERT INTO processed_commands (command_id, payload_hash, application_id, command_type, outcome, source_partition, source_offset, processed_at)
        VALUES ($1, decode($2, 'hex'), $3, $4, $5, $6, $7, $8)`,
      [command.commandId, payloadHash, command.applicationId, command.type, rejection ? `REJECTED:${rejection.code}` : 'ACCEPTED', partition, message.offset, iso(at)]);
    }
    const outcome = outcomeOf({
      command, application, events, listing, at,
      ...(seenHash !== undefined && { idScope: `${command.commandId}/reused/${payloadHash}` }),
    }, topics);
    for (const action of outcome.adminActions.map(adminActionToRow)) {
      await client.query('INSERT INTO admin_action_log (admin_id, application_id, action, reason, command_id, at) VALUES ($1, $2, $3, $4, $5, $6)',
        [action.admin_id, action.application_id, action.action, action.reason, action.command_id, action.at]);
    }
    for (const event of outcome.events.map(eventToRow)) {
      await client.query(`INSERT INTO application_events (event_id, application_id, command_id, version, type, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
        [event.event_id, event.application_id, event.command_id, event.version, event.type, JSON.stringify(event.payload), event.occurred_at]);
    }
    const rows: OutRow[] = outcome.messages.map((m) => ({ event_id: m.eventId, topic: m.topic, key: m.key, value: serde.encode(m.topic, m.value), headers: {} }));
    for (const row of rows) {
      const inserted = await client.query(`INSERT INTO outbox_rows (event_id, source_partition, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING id`,
        [row.event_id, partition, row.topic, row.key, row.value, JSON.stringify(row.headers)]);
      if (inserted.rows[0]) outbox.push({ ...row, id: String(inserted.rows[0].id) });
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    outbox = [];
    throw error;
  } finally {
    client.release();
  }
  if (outbox.length === 0) return;
  const byTopic = new Map<string, Message[]>();
  for (const row of outbox) {
    const list = byTopic.get(row.topic) ?? [];
    list.push({ key: row.key, value: row.value, headers: { ...row.headers, 'event-id': row.event_id } });
    byTopic.set(row.topic, list);
  }
  await deps.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  await pool.query(`INSERT INTO outbox_published (source_partition, published_id) VALUES ($1, $2)
    ON CONFLICT (source_partition) DO UPDATE SET published_id = GREATEST(outbox_published.published_id, EXCLUDED.published_id), published_at = now()`,
  [partition, outbox.at(-1)!.id]);
}

export async function runNaive(consumer: Consumer, deps: NaiveDeps, options: { concurrency: number; onHandled: () => void }): Promise<void> {
  await consumer.subscribe({ topic: deps.topics.commands, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.concurrency,
    eachMessage: async ({ message, partition }) => {
      await handle(message, partition, deps);
      options.onHandled();
    },
  });
}
