import type { CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { sql } from '../db.ts';
import { applicationEventRow, applicationRow } from '../tables.ts';
import { reviewersOnly } from './application-events.ts';

/**
 * A place in application_events as the live stream walks it: (written_by, id), the writing
 * transaction and the row (see the live-events migration). Both are decimal text: xid8 and
 * bigint do not fit a JavaScript number.
 */
export interface LivePosition { writtenBy: string; id: string }

/** An outcome as the console's live stream carries it: enough to know what to refresh. */
export interface LiveEvent {
  position: LivePosition;
  eventId: string;
  applicationId: string;
  applicantId: string;
  type: string;
  version: number;
  occurredAt: number;
  /** Who decided, on ApplicationApproved and ApplicationRejected; who claimed, released or wrote a note. */
  adminId: string | null;
  /** The reviewers' own work (review claims, notes): never sent to an owner. */
  reviewersOnly: boolean;
}

const liveRow = applicationEventRow.pick({ event_id: true, application_id: true, type: true, version: true, occurred_at: true })
  .extend({
    written_by: z.string(), id: z.string(), applicant_id: applicationRow.shape.applicant_id, admin_id: z.string().nullable(), reviewers_only: z.boolean(),
  });

const horizonRow = z.object({ horizon: z.string() });

/** Every transaction below it has ended: each row written_by below it is final. */
export const liveHorizon = (db: CommonQueryMethods): Promise<LivePosition> =>
  db.oneFirst(sql.type(horizonRow)`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`)
    .then((horizon) => ({ writtenBy: horizon, id: '0' }));

/**
 * Events after `after` up to and including `through`, in (written_by, id) order, at most `limit`.
 * With `through` a horizon (id 0), that is every final row past `after`.
 */
export async function liveEventsBetween(
  db: CommonQueryMethods, after: LivePosition, through: LivePosition, limit: number, applicantId?: string,
): Promise<LiveEvent[]> {
  const rows = await db.any(sql.type(liveRow)`
    SELECT e.written_by::text AS written_by, e.id::text AS id, e.event_id, e.application_id, e.type, e.version, e.occurred_at,
      a.applicant_id, e.payload->>'adminId' AS admin_id, ${reviewersOnly} AS reviewers_only
    FROM application_events e JOIN applications a ON a.id = e.application_id
    WHERE (e.written_by, e.id) > (${after.writtenBy}::xid8, ${after.id}::bigint)
      AND (e.written_by, e.id) <= (${through.writtenBy}::xid8, ${through.id}::bigint)
      ${applicantId === undefined ? sql.fragment`` : sql.fragment`AND a.applicant_id = ${applicantId} AND NOT ${reviewersOnly}`}
    ORDER BY e.written_by, e.id
    LIMIT ${limit}`);
  return rows.map((row) => ({
    position: { writtenBy: row.written_by, id: row.id }, eventId: row.event_id, applicationId: row.application_id, applicantId: row.applicant_id,
    type: row.type, version: row.version, occurredAt: row.occurred_at, adminId: row.admin_id, reviewersOnly: row.reviewers_only,
  }));
}
