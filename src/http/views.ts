import type { Application, Listing } from '../domain/types.ts';
import type { AdminActionEntry } from '../store/read/admin-actions.ts';
import type { StoredEvent } from '../store/read/application-events.ts';

/** JSON shapes of the read API: camelCase fields, ISO 8601 timestamps. */

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** `name`: see applicationNames. */
export const applicationView = (a: Application, name: string | null) => ({
  id: a.id,
  name,
  applicantId: a.applicantId,
  kind: a.kind,
  contentType: a.contentType,
  status: a.status,
  listingId: a.listingId,
  version: a.version,
  details: a.details,
  decision: { decidedAt: isoOrNull(a.decidedAt), decidedBy: a.decidedBy, rejectionReason: a.rejectionReason, decisionNote: a.decisionNote },
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});

export const eventView = (e: StoredEvent) => ({
  eventId: e.eventId, commandId: e.commandId, type: e.type, version: e.version, occurredAt: iso(e.occurredAt), payload: e.payload,
});

export const adminActionView = (a: AdminActionEntry, applicationName: string | null) => ({
  id: a.id, adminId: a.adminId, applicationId: a.applicationId, applicationName, action: a.action, reason: a.reason, commandId: a.commandId, at: iso(a.at),
});

export const listingView = (l: Listing) => ({
  id: l.id,
  ownerId: l.ownerId,
  contentType: l.contentType,
  name: l.name,
  description: l.description,
  contact: l.contact,
  address: l.address,
  businessHours: l.businessHours,
  specific: l.specific,
  businessRegistration: l.businessRegistration,
  sourceApplicationId: l.sourceApplicationId,
  version: l.version,
  createdAt: iso(l.createdAt),
  updatedAt: iso(l.updatedAt),
});
