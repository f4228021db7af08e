import type { CommonQueryMethods } from 'slonik';
import { rowsOf, sql } from '../db.ts';

/** What the processor recorded for one command: its first outcome event and the application's applicant. */
export interface CommandOutcome {
  commandId: string;
  applicationId: string;
  commandType: string;
  /** The outcome event's type; ApplicationApproved, …, or CommandRejected. */
  outcome: string;
  version: number;
  payload: Record<string, unknown>;
  applicantId: string | null;
}

/**
 * The outcome of `commandId`, or null while the processor has not applied it. A command id
 * reused with another payload adds a second CommandRejected under the same id: the first event
 * is the outcome of the command as first sent.
 */
export async function outcomeOfCommand(db: CommonQueryMethods, commandId: string): Promise<CommandOutcome | null> {
  const rows = await rowsOf(db, sql.unsafe`
    SELECT p.command_id, p.application_id, p.command_type, e.type, e.version, e.payload, a.applicant_id
    FROM processed_commands p
    JOIN application_events e ON e.command_id = p.command_id
    LEFT JOIN applications a ON a.id = p.application_id
    WHERE p.command_id = ${commandId}::uuid
    ORDER BY e.id LIMIT 1`);
  const row = rows[0];
  if (row === undefined) return null;
  return {
    commandId: row.command_id as string, applicationId: row.application_id as string, commandType: row.command_type as string,
    outcome: row.type as string, version: row.version as number, payload: row.payload as Record<string, unknown>,
    applicantId: row.applicant_id as string | null,
  };
}
