import type { CommonQueryMethods } from 'slonik';
import { sql } from '../db.ts';
import { listingFromRow } from '../rows.ts';
import { listingRow } from '../tables.ts';
import type { Listing } from '../../domain/types.ts';
import { newestFirst, timeKeyed, type Page, type TimeKey } from './keyset.ts';

const pageRows = { table: 'listings', alias: 'l', rows: listingRow.extend(timeKeyed) };

export async function findListing(db: CommonQueryMethods, id: string): Promise<Listing | null> {
  const row = await db.maybeOne(sql.type(listingRow)`SELECT * FROM listings WHERE id = ${id}::uuid`);
  return row === null ? null : listingFromRow(row);
}

/** An owner's listings with their current contact, address and hours, newest first. */
export async function listingsOfOwner(
  db: CommonQueryMethods, ownerId: string, page: { limit: number; after: TimeKey | null },
): Promise<Page<Listing, TimeKey>> {
  return newestFirst(db, pageRows, [sql.fragment`l.owner_id = ${ownerId}`], page, listingFromRow);
}
