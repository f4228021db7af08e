import type { Readable } from 'node:stream';
import type { CommonQueryMethods, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { sql, type Database } from '../db.ts';
import { applicationFromRow, applicationHeadFromRow } from '../rows.ts';
import { applicationRow } from '../tables.ts';
import type { Application, ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';
import { newestFirst, timeKeyed, whereAll, type Page, type TimeKey } from './keyset.ts';
import { streamRows } from './stream.ts';

export interface ApplicationFilter {
  status?: ApplicationStatus | undefined;
  contentType?: ContentType | undefined;
  kind?: ApplicationKind | undefined;
  applicantId?: string | undefined;
}

const pageRows = { table: 'applications', alias: 'a', rows: applicationRow.extend(timeKeyed) };

/** The filter as conditions on `applications a`. */
function matching(filter: ApplicationFilter): FragmentSqlToken[] {
  const conditions = [];
  if (filter.status !== undefined) conditions.push(sql.fragment`a.status = ${filter.status}`);
  if (filter.contentType !== undefined) conditions.push(sql.fragment`a.content_type = ${filter.contentType}`);
  if (filter.kind !== undefined) conditions.push(sql.fragment`a.kind = ${filter.kind}`);
  if (filter.applicantId !== undefined) conditions.push(sql.fragment`a.applicant_id = ${filter.applicantId}`);
  return conditions;
}

/** Applications newest first (created_at DESC, id DESC), one page after `after`. */
export async function listApplications(
  db: CommonQueryMethods, filter: ApplicationFilter, page: { limit: number; after: TimeKey | null },
): Promise<Page<Application, TimeKey>> {
  return newestFirst(db, pageRows, matching(filter), page, applicationFromRow);
}

/** An application without its details, named: the business name, or for a change request its listing's. */
export interface ApplicationSummary extends Omit<Application, 'details'> { name: string | null }

const summaryRow = applicationRow.omit({ details: true }).extend({ name: z.string().nullable() });

const summaryOf = ({ name, ...head }: z.infer<typeof summaryRow>): ApplicationSummary => ({ ...applicationHeadFromRow(head), name });

/** Every application the filter matches, newest first like the pages, as a stream of summaries (an export). */
export function streamApplicationSummaries(
  db: Database, filter: ApplicationFilter, consume: (applications: Readable) => Promise<void>,
): Promise<void> {
  return streamRows(db, sql.type(summaryRow)`
    SELECT a.id, a.applicant_id, a.kind, a.listing_id, a.content_type, a.status, a.version, a.created_at, a.updated_at, a.decided_at,
      a.decided_by, a.rejection_reason, a.decision_note, COALESCE(a.details->>'name', l.name) AS name
    FROM applications a LEFT JOIN listings l ON l.id = a.listing_id
    WHERE ${whereAll(matching(filter))} ORDER BY a.created_at DESC, a.id DESC`, summaryOf, consume);
}

export async function findApplication(db: CommonQueryMethods, id: string): Promise<Application | null> {
  const row = await db.maybeOne(sql.type(applicationRow)`SELECT * FROM applications WHERE id = ${id}::uuid`);
  return row === null ? null : applicationFromRow(row);
}

/** Only the applicant, for access checks that need nothing else. */
export async function applicantOf(db: CommonQueryMethods, id: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(applicationRow.pick({ applicant_id: true }))`SELECT applicant_id FROM applications WHERE id = ${id}::uuid`);
}
