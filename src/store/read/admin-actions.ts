import type { Readable } from 'node:stream';
import type { CommonQueryMethods, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { sql, type Database } from '../db.ts';
import { OWNER_VISIBLE_ACTIONS } from '../../domain/values.ts';
import { adminActionRow } from '../tables.ts';
import { applicationName } from './application-names.ts';
import { pageOf, whereAll, type Page } from './keyset.ts';
import { streamRows } from './stream.ts';

export type AdminAction = z.infer<typeof adminActionRow>['action'];

/** One row of `admin_action_log`. The id is a bigint, kept as its decimal text. */
export interface AdminActionEntry {
  id: string;
  adminId: string | null;
  applicationId: string;
  action: AdminAction;
  reason: string | null;
  commandId: string;
  at: number;
}

export interface AdminActionFilter {
  adminId?: string | undefined;
  action?: AdminAction | undefined;
  applicationId?: string | undefined;
  /** Inclusive lower bound on `at`, ISO 8601. */
  from?: string | undefined;
  /** Exclusive upper bound on `at`, ISO 8601. */
  to?: string | undefined;
}

const COLUMNS = sql.fragment`id::text AS id, admin_id, application_id, action, reason, command_id, at`;
/** COLUMNS: the id as its decimal text, the page cursor. */
const entryRow = adminActionRow.extend({ id: z.string() });

const entryOf = (row: z.infer<typeof entryRow>): AdminActionEntry => ({
  id: row.id, adminId: row.admin_id, applicationId: row.application_id, action: row.action, reason: row.reason,
  commandId: row.command_id, at: row.at,
});

function matching(filter: AdminActionFilter): FragmentSqlToken[] {
  const conditions = [];
  if (filter.adminId !== undefined) conditions.push(sql.fragment`admin_id = ${filter.adminId}`);
  if (filter.action !== undefined) conditions.push(sql.fragment`action = ${filter.action}`);
  if (filter.applicationId !== undefined) conditions.push(sql.fragment`application_id = ${filter.applicationId}::uuid`);
  if (filter.from !== undefined) conditions.push(sql.fragment`at >= ${filter.from}::timestamptz`);
  if (filter.to !== undefined) conditions.push(sql.fragment`at < ${filter.to}::timestamptz`);
  return conditions;
}

/** The audit log newest first (id descending: the order decisions were written, reversed), one page after id `after`. */
export async function listAdminActions(
  db: CommonQueryMethods, filter: AdminActionFilter, page: { limit: number; after: string | null },
): Promise<Page<AdminActionEntry, string>> {
  const conditions = matching(filter);
  if (page.after !== null) conditions.push(sql.fragment`id < ${page.after}::bigint`);
  const rows = await db.any(sql.type(entryRow)`
    SELECT ${COLUMNS} FROM admin_action_log WHERE ${whereAll(conditions)} ORDER BY admin_action_log.id DESC LIMIT ${page.limit + 1}`);
  return pageOf(rows, page.limit, entryOf, (row) => row.id);
}

/** An audit entry with its application's business name (see applicationNames), as an export carries it. */
export interface NamedAdminActionEntry extends AdminActionEntry { applicationName: string | null }

const namedEntryRow = entryRow.extend({ application_name: z.string().nullable() });

/** Every entry the filter matches, newest first like the pages, named, as a stream (an export). */
export function streamAdminActions(db: Database, filter: AdminActionFilter, consume: (entries: Readable) => Promise<void>): Promise<void> {
  return streamRows(db, sql.type(namedEntryRow)`
    SELECT x.*, ${applicationName} AS application_name
    FROM (SELECT ${COLUMNS} FROM admin_action_log WHERE ${whereAll(matching(filter))}) x
    LEFT JOIN applications a ON a.id = x.application_id
    ORDER BY x.id::bigint DESC`, (row): NamedAdminActionEntry => ({ ...entryOf(row), applicationName: row.application_name }), consume);
}

/** Every decision taken on one application, in order. */
/** `reviewer`: a MASTER also sees the review claims; the owner only the decisions (OWNER_VISIBLE_ACTIONS). */
export async function actionsOfApplication(db: CommonQueryMethods, applicationId: string, reviewer: boolean): Promise<AdminActionEntry[]> {
  const rows = await db.any(sql.type(entryRow)`
    SELECT ${COLUMNS} FROM admin_action_log WHERE application_id = ${applicationId}::uuid
      ${reviewer ? sql.fragment`` : sql.fragment`AND action = ANY(${sql.array([...OWNER_VISIBLE_ACTIONS], 'text')})`}
    ORDER BY admin_action_log.id`);
  return rows.map(entryOf);
}
