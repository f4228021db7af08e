import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { infoChangeHours, restaurantDetails, contact, address, weekHours } from '../fixtures/details.ts';
import type { Application, ContentType } from '../../src/domain/types.ts';

/**
 * Rows written straight into the read tables with plain SQL, so the read API is tested
 * against exactly what is stored. Timestamps are text so a test can give microseconds.
 */

/** An application with its timestamps as text. */
export type SeedApplication = Omit<Application, 'createdAt' | 'updatedAt' | 'decidedAt'> & { createdAt: string; updatedAt: string; decidedAt: string | null };

/** A fixed base instant, so orders are explicit: `at(5)` is five seconds after it. */
export const BASE = Date.parse('2025-03-01T00:00:00.000Z');
export const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString();

export async function insertApplication(db: pg.Client, overrides: Partial<SeedApplication> = {}): Promise<SeedApplication> {
  const kind = overrides.kind ?? 'NEW_LISTING';
  const row: SeedApplication = {
    id: randomUUID(),
    applicantId: 'owner-1',
    kind,
    listingId: kind === 'INFO_CHANGE' ? randomUUID() : null,
    contentType: 'RESTAURANT',
    status: 'PENDING',
    details: kind === 'INFO_CHANGE' ? infoChangeHours() : restaurantDetails(),
    version: 1,
    createdAt: at(0),
    updatedAt: overrides.createdAt ?? at(0),
    decidedAt: null,
    decidedBy: null,
    rejectionReason: null,
    decisionNote: null,
    reviewClaim: null,
    ...overrides,
  };
  await db.query(
    `INSERT INTO applications (id, applicant_id, kind, listing_id, content_type, status, details, version, created_at, updated_at,
       decided_at, decided_by, rejection_reason, decision_note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [row.id, row.applicantId, row.kind, row.listingId, row.contentType, row.status, JSON.stringify(row.details), row.version,
      row.createdAt, row.updatedAt, row.decidedAt, row.decidedBy, row.rejectionReason, row.decisionNote],
  );
  return row;
}

export interface SeedListing {
  id: string;
  ownerId: string;
  contentType: ContentType;
  name: string;
  description: string;
  contact: object;
  address: object;
  businessHours: object[];
  specific: object;
  sourceApplicationId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export async function insertListing(db: pg.Client, overrides: Partial<SeedListing> = {}): Promise<SeedListing> {
  const row: SeedListing = {
    id: randomUUID(),
    ownerId: 'owner-1',
    contentType: 'RESTAURANT',
    name: '을지로 골뱅이집',
    description: '1978년부터',
    contact: contact(),
    address: address(),
    businessHours: weekHours(),
    specific: { type: 'RESTAURANT', cuisine: '한식', seatCapacity: 40 },
    sourceApplicationId: randomUUID(),
    version: 1,
    createdAt: at(0),
    updatedAt: overrides.createdAt ?? at(0),
    ...overrides,
  };
  await db.query(
    `INSERT INTO listings (id, owner_id, content_type, name, description, contact, address, business_hours, specific,
       source_application_id, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [row.id, row.ownerId, row.contentType, row.name, row.description, JSON.stringify(row.contact), JSON.stringify(row.address),
      JSON.stringify(row.businessHours), JSON.stringify(row.specific), row.sourceApplicationId, row.version, row.createdAt, row.updatedAt],
  );
  return row;
}

export interface SeedAdminAction {
  id: string;
  adminId: string | null;
  applicationId: string;
  action: 'APPROVE' | 'REJECT' | 'DENIED';
  reason: string | null;
  commandId: string;
  at: string;
}

/** The id is assigned by the database (identity column), in insertion order. */
export async function insertAdminAction(db: pg.Client, overrides: Partial<Omit<SeedAdminAction, 'id'>> = {}): Promise<SeedAdminAction> {
  const row = {
    adminId: 'admin-1' as string | null,
    applicationId: randomUUID(),
    action: 'APPROVE' as const,
    reason: null,
    commandId: randomUUID(),
    at: at(0),
    ...overrides,
  };
  const result = await db.query<{ id: string }>(
    `INSERT INTO admin_action_log (admin_id, application_id, action, reason, command_id, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
    [row.adminId, row.applicationId, row.action, row.reason, row.commandId, row.at],
  );
  return { id: result.rows[0]!.id, ...row };
}

export interface SeedEvent {
  eventId: string;
  applicationId: string;
  commandId: string;
  version: number;
  type: string;
  payload: object;
  occurredAt: string;
}

export async function insertEvent(db: pg.Client, overrides: Partial<SeedEvent> & { applicationId: string }): Promise<SeedEvent> {
  const row: SeedEvent = {
    eventId: randomUUID(), commandId: randomUUID(), version: 1, type: 'ApplicationSubmitted', payload: { type: 'ApplicationSubmitted' }, occurredAt: at(0),
    ...overrides,
  };
  await db.query(
    `INSERT INTO application_events (event_id, application_id, command_id, version, type, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [row.eventId, row.applicationId, row.commandId, row.version, row.type, JSON.stringify(row.payload), row.occurredAt],
  );
  return row;
}
