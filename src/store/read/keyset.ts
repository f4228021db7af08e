import { sql } from '../db.ts';

/**
 * Keyset pagination helpers shared by the read queries.
 *
 * A "time key" is the position of a row in a newest-first walk: its created_at at full
 * microsecond precision (as UTC text, because slonik parses timestamptz into milliseconds and
 * a millisecond key would skip or repeat rows that share a millisecond) and its id.
 */
export interface TimeKey { at: string; id: string }

export interface Page<T, K> { items: T[]; next: K | null }

/** created_at of `alias` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, exact to the microsecond. */
export const timeKeyColumn = (alias: string) =>
  sql.fragment`to_char(${sql.identifier([alias, 'created_at'])} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows strictly after `key` in (created_at DESC, id DESC) order. */
export const olderThan = (alias: string, key: TimeKey) =>
  sql.fragment`(${sql.identifier([alias, 'created_at'])}, ${sql.identifier([alias, 'id'])}) < (${key.at}::timestamptz, ${key.id}::uuid)`;

export const whereAll = (conditions: ReturnType<typeof sql.fragment>[]) =>
  conditions.length === 0 ? sql.fragment`TRUE` : sql.join(conditions, sql.fragment` AND `);

/** Fetches limit + 1 rows: the extra one only tells whether another page exists. */
export function pageOf<R, T, K>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => K): Page<T, K> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}
