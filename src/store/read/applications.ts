import type { CommonQueryMethods } from 'slonik';
import { sql } from '../db.ts';
import { applicationFromRow } from '../rows.ts';
import { applicationRow } from '../tables.ts';
import type { Application, ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';
import { newestFirst, timeKeyed, type Page, type TimeKey } from './keyset.ts';

export interface ApplicationFilter {
  status?: ApplicationStatus | undefined;
  contentType?: ContentType | undefined;
  kind?: ApplicationKind | undefined;
  applicantId?: string | undefined;
}

const pageRows = { table: 'applications', alias: 'a', rows: applicationRow.extend(timeKeyed) };

/** Applications newest first (created_at DESC, id DESC), one page after `after`. */
export async function listApplications(
  db: CommonQueryMethods, filter: ApplicationFilter, page: { limit: number; after: TimeKey | null },
): Promise<Page<Application, TimeKey>> {
  const conditions = [];
  if (filter.status !== undefined) conditions.push(sql.fragment`a.status = ${filter.status}`);
  if (filter.contentType !== undefined) conditions.push(sql.fragment`a.content_type = ${filter.contentType}`);
  if (filter.kind !== undefined) conditions.push(sql.fragment`a.kind = ${filter.kind}`);
  if (filter.applicantId !== undefined) conditions.push(sql.fragment`a.applicant_id = ${filter.applicantId}`);
  return newestFirst(db, pageRows, conditions, page, applicationFromRow);
}

export async function findApplication(db: CommonQueryMethods, id: string): Promise<Application | null> {
  const row = await db.maybeOne(sql.type(applicationRow)`SELECT * FROM applications WHERE id = ${id}::uuid`);
  return row === null ? null : applicationFromRow(row);
}

/** Only the applicant, for access checks that need nothing else. */
export async function applicantOf(db: CommonQueryMethods, id: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(applicationRow.pick({ applicant_id: true }))`SELECT applicant_id FROM applications WHERE id = ${id}::uuid`);
}
