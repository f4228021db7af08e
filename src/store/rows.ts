import type { Application, Listing } from '../domain/types.ts';

/**
 * Column shapes of `applications` and `listings` as JSON objects, so that a batch can write
 * many rows with one statement through jsonb_to_recordset.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (value: unknown): number | null => (value === null || value === undefined ? null : typeof value === 'number' ? value : Date.parse(String(value)));

export const applicationToRow = (a: Application) => ({
  id: a.id, applicant_id: a.applicantId, kind: a.kind, listing_id: a.listingId, content_type: a.contentType, status: a.status,
  details: a.details, version: a.version, created_at: iso(a.createdAt), updated_at: iso(a.updatedAt), decided_at: iso(a.decidedAt),
  decided_by: a.decidedBy, rejection_reason: a.rejectionReason, decision_note: a.decisionNote,
});

export const applicationFromRow = (r: Record<string, unknown>): Application => ({
  id: r.id as string, applicantId: r.applicant_id as string, kind: r.kind as Application['kind'], listingId: r.listing_id as string | null,
  contentType: r.content_type as Application['contentType'], status: r.status as Application['status'], details: r.details as Application['details'],
  version: r.version as number, createdAt: ms(r.created_at)!, updatedAt: ms(r.updated_at)!, decidedAt: ms(r.decided_at),
  decidedBy: r.decided_by as string | null, rejectionReason: r.rejection_reason as string | null, decisionNote: r.decision_note as string | null,
});

export const listingToRow = (l: Listing) => ({
  id: l.id, owner_id: l.ownerId, content_type: l.contentType, name: l.name, description: l.description, contact: l.contact,
  address: l.address, business_hours: l.businessHours, specific: l.specific, source_application_id: l.sourceApplicationId,
  version: l.version, created_at: iso(l.createdAt), updated_at: iso(l.updatedAt),
});

export const listingFromRow = (r: Record<string, unknown>): Listing => ({
  id: r.id as string, ownerId: r.owner_id as string, contentType: r.content_type as Listing['contentType'], name: r.name as string,
  description: r.description as string, contact: r.contact as Listing['contact'], address: r.address as Listing['address'],
  businessHours: r.business_hours as Listing['businessHours'], specific: r.specific as Listing['specific'],
  sourceApplicationId: r.source_application_id as string, version: r.version as number, createdAt: ms(r.created_at)!, updatedAt: ms(r.updated_at)!,
});
