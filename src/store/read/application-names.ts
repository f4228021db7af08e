import type { CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { sql } from '../db.ts';

const nameRow = z.object({ id: z.string(), name: z.string().nullable() });

/**
 * The name of `applications a` (see applicationNames). The listing's name is a scalar subquery,
 * not a join: it is looked up by primary key only for the rows returned, and only for those
 * without a name of their own, where a join let the planner scan every listing for a page whose
 * row estimate was off (the registration-number search).
 */
export const applicationName = sql.fragment`COALESCE(a.details->>'name', (SELECT l.name FROM listings l WHERE l.id = a.listing_id))`;

/**
 * The business name people know each application by: the name a NEW_LISTING proposes, or that of
 * the listing an INFO_CHANGE changes. Missing from the map when neither exists.
 */
export async function applicationNames(db: CommonQueryMethods, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.any(sql.type(nameRow)`
    SELECT a.id, ${applicationName} AS name
    FROM applications a
    WHERE a.id = ANY(${sql.array([...new Set(ids)], 'uuid')})`);
  return new Map(rows.flatMap((row) => (row.name === null ? [] : [[row.id, row.name] as const])));
}
