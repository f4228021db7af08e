import type { z } from 'zod';
import type { AdminAction, Application, Listing, ProcessedCommand, RecordedEvent, ReviewerNote } from '../domain/types.ts';
import { completeDetails, completeSpecific } from './pre-v2.ts';
import type { adminActionRow, applicationEventRow, applicationRow, listingRow, processedCommandRow, reviewerNoteRow } from './tables.ts';

/**
 * Domain values and their rows: read as the row schemas of tables.ts check them, written as JSON
 * objects so that a batch can write many rows with one statement (jsonb_populate_recordset,
 * jsonb_to_recordset): timestamps as ISO 8601 text, bigint and bytea columns as text (decimal,
 * hex), identity columns left to the database.
 */

type AsJson<Row, Text extends keyof Row, Generated extends keyof Row = never> = Omit<Row, Text | Generated> & Record<Text, string>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const applicationToRow = (a: Application) => ({
  id: a.id, applicant_id: a.applicantId, kind: a.kind, listing_id: a.listingId, content_type: a.contentType, status: a.status,
  details: a.details, version: a.version, created_at: iso(a.createdAt), updated_at: iso(a.updatedAt), decided_at: iso(a.decidedAt),
  decided_by: a.decidedBy, rejection_reason: a.rejectionReason, decision_note: a.decisionNote,
  review_claimed_by: a.reviewClaim?.adminId ?? null, review_claimed_at: iso(a.reviewClaim?.since ?? null),
  review_claim_expires_at: iso(a.reviewClaim?.expiresAt ?? null),
});

/** Everything of an application but its details (which an export, for one, does not read). */
export const applicationHeadFromRow = (r: Omit<z.infer<typeof applicationRow>, 'details'>): Omit<Application, 'details'> => ({
  id: r.id, applicantId: r.applicant_id, kind: r.kind, listingId: r.listing_id, contentType: r.content_type, status: r.status,
  version: r.version, createdAt: r.created_at, updatedAt: r.updated_at, decidedAt: r.decided_at,
  decidedBy: r.decided_by, rejectionReason: r.rejection_reason, decisionNote: r.decision_note,
  reviewClaim: r.review_claimed_by === null || r.review_claimed_at === null || r.review_claim_expires_at === null
    ? null : { adminId: r.review_claimed_by, since: r.review_claimed_at, expiresAt: r.review_claim_expires_at },
});

export const applicationFromRow = ({ details, ...head }: z.infer<typeof applicationRow>): Application => ({ ...applicationHeadFromRow(head), details: completeDetails(details) });

export const listingToRow = (l: Listing) => ({
  id: l.id, owner_id: l.ownerId, content_type: l.contentType, name: l.name, description: l.description, contact: l.contact,
  address: l.address, business_hours: l.businessHours, specific: l.specific, business_registration: l.businessRegistration,
  source_application_id: l.sourceApplicationId, version: l.version, created_at: iso(l.createdAt), updated_at: iso(l.updatedAt),
});

export const listingFromRow = (r: z.infer<typeof listingRow>): Listing => ({
  id: r.id, ownerId: r.owner_id, contentType: r.content_type, name: r.name, description: r.description, contact: r.contact,
  address: r.address, businessHours: r.business_hours, specific: completeSpecific(r.specific),
  businessRegistration: r.business_registration, sourceApplicationId: r.source_application_id,
  version: r.version, createdAt: r.created_at, updatedAt: r.updated_at,
});

export const eventToRow = (e: RecordedEvent): AsJson<z.infer<typeof applicationEventRow>, 'occurred_at', 'id'> => ({
  event_id: e.eventId, application_id: e.applicationId, command_id: e.commandId, version: e.version, type: e.event.type,
  payload: e.event, occurred_at: iso(e.occurredAt)!,
});

export const adminActionToRow = (a: AdminAction): AsJson<z.infer<typeof adminActionRow>, 'at', 'id'> => ({
  admin_id: a.adminId, application_id: a.applicationId, action: a.action, reason: a.reason, command_id: a.commandId, at: iso(a.at)!,
});

export const processedToRow = (p: ProcessedCommand): AsJson<z.infer<typeof processedCommandRow>, 'payload_hash' | 'source_offset' | 'processed_at'> => ({
  command_id: p.commandId, payload_hash: p.payloadHash, application_id: p.applicationId, command_type: p.commandType, outcome: p.outcome,
  source_partition: p.sourcePartition, source_offset: p.sourceOffset, processed_at: iso(p.processedAt)!,
});

export const reviewerNoteToRow = (n: ReviewerNote): AsJson<z.infer<typeof reviewerNoteRow>, 'at', 'id'> => ({
  note_id: n.noteId, application_id: n.applicationId, admin_id: n.adminId, text: n.text, command_id: n.commandId, at: iso(n.at)!,
});
