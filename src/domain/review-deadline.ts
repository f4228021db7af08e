import type { Application } from './types.ts';

/**
 * When reviewers must have decided a PENDING application: REVIEW_DEADLINE_HOURS after its
 * submission (an amendment does not restart it: the applicant waits from the first day). Null
 * once decided or withdrawn.
 */
export const reviewDueAt = (application: Pick<Application, 'status' | 'createdAt'>, deadlineHours: number): number | null =>
  (application.status === 'PENDING' ? application.createdAt + deadlineHours * 3_600_000 : null);
