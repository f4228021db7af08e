import type { CommonQueryMethods } from 'slonik';
import { sql } from '../db.ts';
import { applicationFromRow } from '../rows.ts';
import { applicationRow } from '../tables.ts';
import type { Application, ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';
import { containsPattern } from './contains-pattern.ts';
import { countedNewestFirst, timeKeyed, type CountedPage, type TimeKey } from './keyset.ts';

export interface ApplicationFilter {
  status?: ApplicationStatus | undefined;
  contentType?: ContentType | undefined;
  kind?: ApplicationKind | undefined;
  applicantId?: string | undefined;
  /** Business name or representative's name contains this, case-insensitive. */
  q?: string | undefined;
  /** 10 digits, as stored. */
  registrationNumber?: string | undefined;
  /** Inclusive bound on created_at (the submission). */
  submittedFrom?: string | undefined;
  /** Exclusive bound on created_at. */
  submittedTo?: string | undefined;
}

/**
 * The ids whose own text (application_search_text: name and representative's name) or, for an
 * INFO_CHANGE, whose listing's name contains `q`. Written as one set of ids rather than an OR
 * with a subquery so that each arm is served by its trigram index (an OR with a subplan is a
 * filter on every row).
 */
const matching = (q: string) => {
  const pattern = containsPattern(q);
  return sql.fragment`a.id IN (
    SELECT s.id FROM applications s WHERE application_search_text(s.details) ILIKE ${pattern}
    UNION
    SELECT c.id FROM listings l JOIN applications c ON c.listing_id = l.id AND c.kind = 'INFO_CHANGE' WHERE l.name ILIKE ${pattern})`;
};

const pageRows = { table: 'applications', alias: 'a', rows: applicationRow.extend(timeKeyed) };

/** Applications newest first (created_at DESC, id DESC), one page after `after`, and how many match in all. */
export async function listApplications(
  db: CommonQueryMethods, filter: ApplicationFilter, page: { limit: number; after: TimeKey | null },
): Promise<CountedPage<Application, TimeKey>> {
  const conditions = [];
  if (filter.status !== undefined) conditions.push(sql.fragment`a.status = ${filter.status}`);
  if (filter.contentType !== undefined) conditions.push(sql.fragment`a.content_type = ${filter.contentType}`);
  if (filter.kind !== undefined) conditions.push(sql.fragment`a.kind = ${filter.kind}`);
  if (filter.applicantId !== undefined) conditions.push(sql.fragment`a.applicant_id = ${filter.applicantId}`);
  if (filter.q !== undefined) conditions.push(matching(filter.q));
  if (filter.registrationNumber !== undefined) conditions.push(sql.fragment`application_registration_number(a.details) = ${filter.registrationNumber}`);
  if (filter.submittedFrom !== undefined) conditions.push(sql.fragment`a.created_at >= ${filter.submittedFrom}::timestamptz`);
  if (filter.submittedTo !== undefined) conditions.push(sql.fragment`a.created_at < ${filter.submittedTo}::timestamptz`);
  return countedNewestFirst(db, pageRows, conditions, page, applicationFromRow);
}

export async function findApplication(db: CommonQueryMethods, id: string): Promise<Application | null> {
  const row = await db.maybeOne(sql.type(applicationRow)`SELECT * FROM applications WHERE id = ${id}::uuid`);
  return row === null ? null : applicationFromRow(row);
}

/** Only the applicant, for access checks that need nothing else. */
export async function applicantOf(db: CommonQueryMethods, id: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(applicationRow.pick({ applicant_id: true }))`SELECT applicant_id FROM applications WHERE id = ${id}::uuid`);
}
