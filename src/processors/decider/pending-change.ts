import type { Application } from '../../domain/types.ts';

/**
 * The one-pending-change rule's state for the listing `after` changes: the id of its PENDING
 * INFO_CHANGE application, after an application moved from `before` to `after`. A change that
 * becomes PENDING holds the listing; the holder leaving PENDING (approved, rejected, withdrawn)
 * frees it; anything else leaves `current` as it is. decide refuses a second change with
 * DUPLICATE_PENDING while one holds the listing.
 */
export function pendingChangeAfter(current: string | null, before: Application | null, after: Application): string | null {
  if (after.kind !== 'INFO_CHANGE' || after.listingId === null) return current;
  if (after.status === 'PENDING') return after.id;
  if (before?.status === 'PENDING' && current === after.id) return null;
  return current;
}
