import type { CommonQueryMethods } from 'slonik';
import { rowsOf, sql, type Row } from '../db.ts';
import { applicationFromRow } from '../rows.ts';
import type { Application, ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';
import { olderThan, pageOf, timeKeyColumn, whereAll, type Page, type TimeKey } from './keyset.ts';

export interface ApplicationFilter {
  status?: ApplicationStatus | undefined;
  contentType?: ContentType | undefined;
  kind?: ApplicationKind | undefined;
  applicantId?: string | undefined;
}

/** Applications newest first (created_at DESC, id DESC), one page after `after`. */
export async function listApplications(
  db: CommonQueryMethods, filter: ApplicationFilter, page: { limit: number; after: TimeKey | null },
): Promise<Page<Application, TimeKey>> {
  const conditions = [];
  if (filter.status !== undefined) conditions.push(sql.fragment`a.status = ${filter.status}`);
  if (filter.contentType !== undefined) conditions.push(sql.fragment`a.content_type = ${filter.contentType}`);
  if (filter.kind !== undefined) conditions.push(sql.fragment`a.kind = ${filter.kind}`);
  if (filter.applicantId !== undefined) conditions.push(sql.fragment`a.applicant_id = ${filter.applicantId}`);
  if (page.after !== null) conditions.push(olderThan('a', page.after));
  const rows = await rowsOf(db, sql.unsafe`
    SELECT a.*, ${timeKeyColumn('a')} AS key_at FROM applications a
    WHERE ${whereAll(conditions)}
    ORDER BY a.created_at DESC, a.id DESC
    LIMIT ${page.limit + 1}`);
  return pageOf(rows, page.limit, applicationFromRow, (row: Row) => ({ at: row.key_at as string, id: row.id as string }));
}

export async function findApplication(db: CommonQueryMethods, id: string): Promise<Application | null> {
  const rows = await rowsOf(db, sql.unsafe`SELECT * FROM applications WHERE id = ${id}::uuid`);
  return rows[0] === undefined ? null : applicationFromRow(rows[0]);
}

/** Only the applicant, for access checks that need nothing else. */
export async function applicantOf(db: CommonQueryMethods, id: string): Promise<string | null> {
  const rows = await rowsOf(db, sql.unsafe`SELECT applicant_id FROM applications WHERE id = ${id}::uuid`);
  return rows[0] === undefined ? null : (rows[0].applicant_id as string);
}
