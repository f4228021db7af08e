import type { CommonQueryMethods } from 'slonik';
import { sql } from '../db.ts';
import type { CommandType, DomainEvent } from '../../domain/types.ts';
import type { DeadLetterCode } from '../../domain/values.ts';
import { applicationEventRow, applicationRow, deadLetteredCommandRow, processedCommandRow } from '../tables.ts';

/** What the processor recorded for one command: its first outcome event and the application's applicant. */
export interface CommandOutcome {
  commandId: string;
  applicationId: string;
  commandType: CommandType;
  /** The outcome event's type; ApplicationApproved, …, or CommandRejected. */
  outcome: DomainEvent['type'];
  version: number;
  payload: DomainEvent;
  applicantId: string | null;
}

/** The applicant is null when the command never created its application (LEFT JOIN). */
const outcomeRow = processedCommandRow.pick({ command_id: true, application_id: true, command_type: true })
  .extend(applicationEventRow.pick({ type: true, version: true, payload: true }).shape)
  .extend({ applicant_id: applicationRow.shape.applicant_id.nullable() });

/**
 * The outcome of `commandId`, or null while the processor has not applied it. A command id
 * reused with another payload adds a second CommandRejected under the same id: the first event
 * is the outcome of the command as first sent.
 */
export async function outcomeOfCommand(db: CommonQueryMethods, commandId: string): Promise<CommandOutcome | null> {
  const row = await db.maybeOne(sql.type(outcomeRow)`
    SELECT p.command_id, p.application_id, p.command_type, e.type, e.version, e.payload, a.applicant_id
    FROM processed_commands p
    JOIN application_events e ON e.command_id = p.command_id
    LEFT JOIN applications a ON a.id = p.application_id
    WHERE p.command_id = ${commandId}::uuid
    ORDER BY e.id LIMIT 1`);
  if (row === null) return null;
  return {
    commandId: row.command_id, applicationId: row.application_id, commandType: row.command_type,
    outcome: row.type, version: row.version, payload: row.payload, applicantId: row.applicant_id,
  };
}

/** The dead letter a command the gateway sent became, while no outcome replaced it. */
export interface CommandDeadLetter { code: DeadLetterCode; message: string }

const deadLetterRow = deadLetteredCommandRow.pick({ code: true, message: true });

/** How the processor dead-lettered `commandId`, or null when it did not (or it was not the gateway's). */
export async function deadLetterOfCommand(db: CommonQueryMethods, commandId: string): Promise<CommandDeadLetter | null> {
  return db.maybeOne(sql.type(deadLetterRow)`
    SELECT code, message FROM dead_lettered_commands WHERE command_id = ${commandId}::uuid`);
}
