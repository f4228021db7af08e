import type { CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { sql } from '../db.ts';
import { applicationRow } from '../tables.ts';
import type { ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';
import { APPLICATION_KINDS, APPLICATION_STATUSES, CONTENT_TYPES } from '../../domain/values.ts';

export interface ApplicationStats {
  byStatus: Record<ApplicationStatus, number>;
  byContentType: Record<ContentType, number>;
  byKind: Record<ApplicationKind, number>;
  /** Whole seconds since the oldest PENDING application was submitted; null when none is pending. */
  oldestPendingAgeSeconds: number | null;
  /** PENDING applications submitted longer than the review deadline ago. */
  overdue: number;
}

/** PENDING and submitted before `now() - deadline`: what the queue marks overdue. */
const overdueFilter = (deadlineHours: number) => sql.fragment`status = 'PENDING' AND created_at < now() - make_interval(hours => ${deadlineHours})`;

/** One grouping set per row: the columns it does not group by are null, the empty set has neither. */
const countRow = z.object({
  status: applicationRow.shape.status.nullable(), content_type: applicationRow.shape.content_type.nullable(),
  kind: applicationRow.shape.kind.nullable(), n: z.number(), oldest_pending: z.number().nullable(), overdue: z.number(),
});
const pendingRow = z.object({ n: z.number(), oldest: z.number().nullable(), overdue: z.number() });

const zeros = <T extends string>(keys: readonly T[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<T, number>;

/** Counts over all applications in one scan; every known value is present, zero when absent. */
export async function applicationStats(db: CommonQueryMethods, deadlineHours: number): Promise<ApplicationStats> {
  const rows = await db.any(sql.type(countRow)`
    SELECT status, content_type, kind, count(*)::int AS n,
      floor(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'PENDING')))::float8 AS oldest_pending,
      count(*) FILTER (WHERE ${overdueFilter(deadlineHours)})::int AS overdue
    FROM applications
    GROUP BY GROUPING SETS ((status), (content_type), (kind), ())`);
  const stats: ApplicationStats = {
    byStatus: zeros(APPLICATION_STATUSES),
    byContentType: zeros(CONTENT_TYPES),
    byKind: zeros(APPLICATION_KINDS),
    oldestPendingAgeSeconds: null,
    overdue: 0,
  };
  for (const { status, content_type: contentType, kind, n, oldest_pending: oldest, overdue } of rows) {
    if (status !== null) stats.byStatus[status] = n;
    else if (contentType !== null) stats.byContentType[contentType] = n;
    else if (kind !== null) stats.byKind[kind] = n;
    else {
      stats.oldestPendingAgeSeconds = oldest === null ? null : Math.max(0, oldest);
      stats.overdue = overdue;
    }
  }
  return stats;
}

/** PENDING applications, the age of the oldest one in seconds (null when none) and how many are overdue; served by applications_by_status. */
export async function pendingSummary(db: CommonQueryMethods, deadlineHours: number): Promise<{ count: number; oldestAgeSeconds: number | null; overdue: number }> {
  const { n, oldest, overdue } = await db.one(sql.type(pendingRow)`
    SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest,
      count(*) FILTER (WHERE ${overdueFilter(deadlineHours)})::int AS overdue
    FROM applications WHERE status = 'PENDING'`);
  return { count: n, oldestAgeSeconds: oldest === null ? null : Math.max(0, oldest), overdue };
}
