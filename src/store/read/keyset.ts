import type { CommonQueryMethods, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
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

/** A page and the number of rows the whole query matches. */
export interface CountedPage<T, K> extends Page<T, K> { total: number }

/** The count beside a page. Built once: a zod schema built per call compiles its parser anew at its first parse (a profile of the read API found that in the hot path). */
const totalRow = z.object({ total: z.number().int() });

/** The columns a newest-first walk adds to its table's row. */
export const timeKeyed = { key_at: z.string() };

/** created_at of `alias` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, exact to the microsecond. */
const timeKeyColumn = (alias: string) =>
  sql.fragment`to_char(${sql.identifier([alias, 'created_at'])} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows strictly after `key` in (created_at DESC, id DESC) order. */
const olderThan = (alias: string, key: TimeKey) =>
  sql.fragment`(${sql.identifier([alias, 'created_at'])}, ${sql.identifier([alias, 'id'])}) < (${key.at}::timestamptz, ${key.id}::uuid)`;

export const whereAll = (conditions: FragmentSqlToken[]) =>
  conditions.length === 0 ? sql.fragment`TRUE` : sql.join(conditions, sql.fragment` AND `);

/** Fetches limit + 1 rows: the extra one only tells whether another page exists. */
export function pageOf<R, T, K>(rows: readonly R[], limit: number, map: (row: R) => T, keyOf: (row: R) => K): Page<T, K> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), next: rows.length > limit && last !== undefined ? keyOf(last) : null };
}

/**
 * What a newest-first walk reads: `table` as `alias`, and `rows`, its row schema extended by
 * timeKeyed and by `columns`, computed beside the table's own (in the page's statement, not in a
 * second round trip after it).
 */
export interface Walk<Row> {
  table: string;
  alias: string;
  rows: z.ZodType<Row>;
  columns?: FragmentSqlToken;
}

/**
 * One page of the walk's table, newest first (created_at DESC, id DESC), after `page.after`;
 * `conditions` name its columns through its alias.
 */
export async function newestFirst<Row extends { id: string; key_at: string }, T>(
  db: CommonQueryMethods, from: Walk<Row>,
  conditions: FragmentSqlToken[], page: { limit: number; after: TimeKey | null }, map: (row: Row) => T,
): Promise<Page<T, TimeKey>> {
  const { table, alias, columns } = from;
  const all = page.after === null ? conditions : [...conditions, olderThan(alias, page.after)];
  const rows = await db.any(sql.type(from.rows)`
    SELECT ${sql.identifier([alias])}.*, ${columns ? sql.fragment`${columns}, ` : sql.fragment``}${timeKeyColumn(alias)} AS key_at
    FROM ${sql.identifier([table])} ${sql.identifier([alias])}
    WHERE ${whereAll(all)}
    ORDER BY ${sql.identifier([alias, 'created_at'])} DESC, ${sql.identifier([alias, 'id'])} DESC
    LIMIT ${page.limit + 1}`);
  return pageOf(rows, page.limit, map, (row) => ({ at: row.key_at, id: row.id }));
}

/**
 * `newestFirst` with the number of rows `conditions` match, counted beside the page (in parallel,
 * on a second pooled connection): exact, from the same conditions, and as cheap as the indexes
 * that serve them (docs/operations.md, "Search").
 */
export async function countedNewestFirst<Row extends { id: string; key_at: string }, T>(
  db: CommonQueryMethods, from: Walk<Row>,
  conditions: FragmentSqlToken[], page: { limit: number; after: TimeKey | null }, map: (row: Row) => T,
): Promise<CountedPage<T, TimeKey>> {
  const [items, total] = await Promise.all([
    newestFirst(db, from, conditions, page, map),
    db.oneFirst(sql.type(totalRow)`
      SELECT count(*)::int AS total FROM ${sql.identifier([from.table])} ${sql.identifier([from.alias])} WHERE ${whereAll(conditions)}`),
  ]);
  return { ...items, total };
}
