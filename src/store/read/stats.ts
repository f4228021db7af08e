import type { CommonQueryMethods } from 'slonik';
import { rowsOf, sql } from '../db.ts';
import type { ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';

export interface ApplicationStats {
  byStatus: Record<ApplicationStatus, number>;
  byContentType: Record<ContentType, number>;
  byKind: Record<ApplicationKind, number>;
  /** Whole seconds since the oldest PENDING application was submitted; null when none is pending. */
  oldestPendingAgeSeconds: number | null;
}

/** Counts over all applications in one scan; every known value is present, zero when absent. */
export async function applicationStats(db: CommonQueryMethods): Promise<ApplicationStats> {
  const rows = await rowsOf(db, sql.unsafe`
    SELECT status, content_type, kind, count(*)::int AS n,
      floor(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'PENDING')))::float8 AS oldest_pending
    FROM applications
    GROUP BY GROUPING SETS ((status), (content_type), (kind), ())`);
  const stats: ApplicationStats = {
    byStatus: { PENDING: 0, APPROVED: 0, REJECTED: 0, WITHDRAWN: 0 },
    byContentType: { RESTAURANT: 0, PERFORMANCE: 0, EXHIBITION: 0 },
    byKind: { NEW_LISTING: 0, INFO_CHANGE: 0 },
    oldestPendingAgeSeconds: null,
  };
  for (const row of rows) {
    const n = row.n as number;
    if (row.status !== null) stats.byStatus[row.status as ApplicationStatus] = n;
    else if (row.content_type !== null) stats.byContentType[row.content_type as ContentType] = n;
    else if (row.kind !== null) stats.byKind[row.kind as ApplicationKind] = n;
    else if (row.oldest_pending !== null) stats.oldestPendingAgeSeconds = Math.max(0, row.oldest_pending as number);
  }
  return stats;
}

/** PENDING applications and the age of the oldest one in seconds (null when none); served by applications_by_status. */
export async function pendingSummary(db: CommonQueryMethods): Promise<{ count: number; oldestAgeSeconds: number | null }> {
  const rows = await rowsOf(db, sql.unsafe`
    SELECT count(*)::int AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest
    FROM applications WHERE status = 'PENDING'`);
  const row = rows[0];
  const oldest = row?.oldest as number | null | undefined;
  return { count: (row?.n as number | undefined) ?? 0, oldestAgeSeconds: oldest === null || oldest === undefined ? null : Math.max(0, oldest) };
}
