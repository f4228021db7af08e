import type { Application, ReviewClaim } from '../../domain/types.ts';

/**
 * The claim that holds an application at `at`, or null: a claim ends at its expiry without an
 * event, so whether it still holds is judged against the command's own issuedAt, which replays
 * the same way however late the command is applied.
 */
export function reviewClaimHolder(application: Application, at: number): ReviewClaim | null {
  const claim = application.reviewClaim;
  return claim !== null && at < claim.expiresAt ? claim : null;
}

/** The live claim of an admin other than `adminId`, the one that stops them deciding. */
export function claimedByOther(application: Application, adminId: string, at: number): ReviewClaim | null {
  const claim = reviewClaimHolder(application, at);
  return claim !== null && claim.adminId !== adminId ? claim : null;
}

export const describeClaim = (claim: ReviewClaim) =>
  `being reviewed by ${claim.adminId} since ${new Date(claim.since).toISOString()} (until ${new Date(claim.expiresAt).toISOString()})`;
