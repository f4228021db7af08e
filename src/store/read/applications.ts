import type { Readable } from 'node:stream';
import type { CommonQueryMethods, FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { sql, type Database } from '../db.ts';
import { applicationFromRow, applicationHeadFromRow } from '../rows.ts';
import { applicationRow } from '../tables.ts';
import type { Application, ApplicationKind, ApplicationStatus, ContentType } from '../../domain/types.ts';
import { applicationName } from './application-names.ts';
import { historyColumn, historyJson, storedEventsOf, type StoredEvent } from './application-events.ts';
import { containsPattern } from './contains-pattern.ts';
import { countedNewestFirst, timeKeyed, whereAll, type CountedPage, type TimeKey } from './keyset.ts';
import { streamRows } from './stream.ts';

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
const containing = (q: string) => {
  const pattern = containsPattern(q);
  return sql.fragment`a.id IN (
    SELECT s.id FROM applications s WHERE application_search_text(s.details) ILIKE ${pattern}
    UNION
    SELECT c.id FROM listings l JOIN applications c ON c.listing_id = l.id AND c.kind = 'INFO_CHANGE' WHERE l.name ILIKE ${pattern})`;
};

/** An application and the name people know it by (see applicationNames). */
export interface NamedApplication { application: Application; name: string | null }

const namedRow = applicationRow.extend({ name: z.string().nullable() });

const namedOf = ({ name, ...application }: z.infer<typeof namedRow>): NamedApplication => ({ application: applicationFromRow(application), name });

/** A page names its applications in its own statement: the list answers in the round trip of its page and count. */
const pageRows = {
  table: 'applications', alias: 'a', rows: namedRow.extend(timeKeyed),
  columns: sql.fragment`${applicationName} AS name`,
};

/** The filter as conditions on `applications a`. */
function matching(filter: ApplicationFilter): FragmentSqlToken[] {
  const conditions = [];
  if (filter.status !== undefined) conditions.push(sql.fragment`a.status = ${filter.status}`);
  if (filter.contentType !== undefined) conditions.push(sql.fragment`a.content_type = ${filter.contentType}`);
  if (filter.kind !== undefined) conditions.push(sql.fragment`a.kind = ${filter.kind}`);
  if (filter.applicantId !== undefined) conditions.push(sql.fragment`a.applicant_id = ${filter.applicantId}`);
  if (filter.q !== undefined) conditions.push(containing(filter.q));
  if (filter.registrationNumber !== undefined) conditions.push(sql.fragment`application_registration_number(a.details) = ${filter.registrationNumber}`);
  if (filter.submittedFrom !== undefined) conditions.push(sql.fragment`a.created_at >= ${filter.submittedFrom}::timestamptz`);
  if (filter.submittedTo !== undefined) conditions.push(sql.fragment`a.created_at < ${filter.submittedTo}::timestamptz`);
  return conditions;
}

/** Applications newest first (created_at DESC, id DESC), named, one page after `after`, and how many match in all. */
export async function listApplications(
  db: CommonQueryMethods, filter: ApplicationFilter, page: { limit: number; after: TimeKey | null },
): Promise<CountedPage<NamedApplication, TimeKey>> {
  return countedNewestFirst(db, pageRows, matching(filter), page, namedOf);
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
      a.decided_by, a.rejection_reason, a.decision_note, a.review_claimed_by, a.review_claimed_at, a.review_claim_expires_at,
      ${applicationName} AS name
    FROM applications a
    WHERE ${whereAll(matching(filter))} ORDER BY a.created_at DESC, a.id DESC`, summaryOf, consume);
}

export async function findApplication(db: CommonQueryMethods, id: string): Promise<Application | null> {
  const row = await db.maybeOne(sql.type(applicationRow)`SELECT * FROM applications WHERE id = ${id}::uuid`);
  return row === null ? null : applicationFromRow(row);
}

export interface ApplicationWithHistory extends NamedApplication { history: StoredEvent[] }

const withHistoryRow = namedRow.extend({ history: historyJson });

/**
 * One application, its name (see applicationNames) and its history, in one statement: one round
 * trip and one statement to plan per read instead of two. `reviewer`: see historyColumn.
 */
export async function findApplicationWithHistory(db: CommonQueryMethods, id: string, reviewer: boolean): Promise<ApplicationWithHistory | null> {
  const row = await db.maybeOne(sql.type(withHistoryRow)`
    SELECT a.*, ${applicationName} AS name, ${historyColumn(reviewer)} AS history FROM applications a WHERE a.id = ${id}::uuid`);
  if (row === null) return null;
  const { history, ...named } = row;
  return { ...namedOf(named), history: storedEventsOf(history) };
}

const applicantRow = applicationRow.pick({ applicant_id: true });

/** Only the applicant, for access checks that need nothing else. */
export async function applicantOf(db: CommonQueryMethods, id: string): Promise<string | null> {
  return db.maybeOneFirst(sql.type(applicantRow)`SELECT applicant_id FROM applications WHERE id = ${id}::uuid`);
}
