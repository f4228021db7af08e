import type { ApplicationSummary } from '../store/read/applications.ts';
import type { CsvColumn } from './csv.ts';
import { adminActionView } from './views.ts';

type AdminActionRow = ReturnType<typeof adminActionView>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The export of the queue: one row per application, its details reduced to the name (a change request's: its listing's). */
export const applicationColumns: readonly CsvColumn<ApplicationSummary>[] = [
  ['id', (a) => a.id],
  ['submittedAt', (a) => iso(a.createdAt)],
  ['status', (a) => a.status],
  ['kind', (a) => a.kind],
  ['contentType', (a) => a.contentType],
  ['applicantId', (a) => a.applicantId],
  ['name', (a) => a.name],
  ['listingId', (a) => a.listingId],
  ['version', (a) => a.version],
  ['decidedAt', (a) => iso(a.decidedAt)],
  ['decidedBy', (a) => a.decidedBy],
  ['rejectionReason', (a) => a.rejectionReason],
  ['decisionNote', (a) => a.decisionNote],
  ['updatedAt', (a) => iso(a.updatedAt)],
];

/** The export of the audit log: the JSON view's fields. */
export const adminActionColumns: readonly CsvColumn<AdminActionRow>[] = [
  ['id', (e) => e.id],
  ['at', (e) => e.at],
  ['adminId', (e) => e.adminId],
  ['action', (e) => e.action],
  ['applicationId', (e) => e.applicationId],
  ['applicationName', (e) => e.applicationName],
  ['reason', (e) => e.reason],
  ['commandId', (e) => e.commandId],
];
