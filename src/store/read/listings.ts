import type { CommonQueryMethods } from 'slonik';
import { rowsOf, sql, type Row } from '../db.ts';
import { listingFromRow } from '../rows.ts';
import type { Listing } from '../../domain/types.ts';
import { olderThan, pageOf, timeKeyColumn, whereAll, type Page, type TimeKey } from './keyset.ts';

export async function findListing(db: CommonQueryMethods, id: string): Promise<Listing | null> {
  const rows = await rowsOf(db, sql.unsafe`SELECT * FROM listings WHERE id = ${id}::uuid`);
  return rows[0] === undefined ? null : listingFromRow(rows[0]);
}

/** An owner's listings with their current contact, address and hours, newest first. */
export async function listingsOfOwner(
  db: CommonQueryMethods, ownerId: string, page: { limit: number; after: TimeKey | null },
): Promise<Page<Listing, TimeKey>> {
  const conditions = [sql.fragment`l.owner_id = ${ownerId}`];
  if (page.after !== null) conditions.push(olderThan('l', page.after));
  const rows = await rowsOf(db, sql.unsafe`
    SELECT l.*, ${timeKeyColumn('l')} AS key_at FROM listings l
    WHERE ${whereAll(conditions)}
    ORDER BY l.created_at DESC, l.id DESC
    LIMIT ${page.limit + 1}`);
  return pageOf(rows, page.limit, listingFromRow, (row: Row) => ({ at: row.key_at as string, id: row.id as string }));
}
