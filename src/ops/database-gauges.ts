import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/db.ts';
import { outboxBacklog } from '../store/outbox-store.ts';
import { pendingSummary } from '../store/read/stats.ts';

/** Outbox backlog, pending applications, the oldest one's age and the overdue ones, read from PostgreSQL (all index-backed counts). */
export function databaseGaugesCollector(deps: { db: Database; metrics: Metrics; reviewDeadlineHours: number }) {
  return {
    async poll(): Promise<void> {
      const [backlog, pending] = await Promise.all([outboxBacklog(deps.db), pendingSummary(deps.db, deps.reviewDeadlineHours)]);
      deps.metrics.outboxBacklog.set(backlog);
      deps.metrics.pendingApplications.set(pending.count);
      deps.metrics.oldestPendingAge.set(pending.oldestAgeSeconds ?? 0);
      deps.metrics.overdueApplications.set(pending.overdue);
    },
  };
}
