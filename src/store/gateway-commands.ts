import type { CommonQueryMethods } from 'slonik';
import type { z } from 'zod';
import type { CommandType } from '../domain/types.ts';
import { sql } from './db.ts';
import { gatewayCommandRow, processedCommandRow } from './tables.ts';

/** One command the gateway was asked to produce; `sent` once the broker acknowledged it. */
export interface GatewayCommand {
  commandId: string;
  fingerprint: string;
  applicationId: string;
  commandType: CommandType;
  requestedBy: string;
  value: Buffer;
  sent: boolean;
}

const COLUMNS = sql.fragment`command_id, fingerprint, application_id, command_type, requested_by, value, sent_at`;
const recorded = gatewayCommandRow.omit({ requested_at: true });

const fromRow = (row: z.infer<typeof recorded>): GatewayCommand => ({
  commandId: row.command_id, fingerprint: row.fingerprint, applicationId: row.application_id, commandType: row.command_type,
  requestedBy: row.requested_by, value: row.value, sent: row.sent_at !== null,
});

/**
 * Records `candidate` unless its commandId is taken; answers the row that holds the id, which
 * is the candidate itself only when it was recorded now.
 */
export async function reserveCommand(db: CommonQueryMethods, candidate: Omit<GatewayCommand, 'sent'>): Promise<GatewayCommand> {
  const inserted = await db.maybeOne(sql.type(recorded)`
    INSERT INTO gateway_commands (command_id, fingerprint, application_id, command_type, requested_by, value)
    VALUES (${candidate.commandId}::uuid, ${candidate.fingerprint}, ${candidate.applicationId}::uuid, ${candidate.commandType},
      ${candidate.requestedBy}, ${sql.binary(candidate.value)})
    ON CONFLICT (command_id) DO NOTHING
    RETURNING ${COLUMNS}`);
  if (inserted !== null) return fromRow(inserted);
  return (await findGatewayCommand(db, candidate.commandId))!;
}

export async function markSent(db: CommonQueryMethods, commandIds: string[]): Promise<void> {
  if (commandIds.length === 0) return;
  await db.query(sql.unsafe`UPDATE gateway_commands SET sent_at = now() WHERE command_id = ANY(${sql.array(commandIds, 'uuid')}) AND sent_at IS NULL`);
}

const processedId = processedCommandRow.pick({ command_id: true });

/** Which of `commandIds` the processor has already applied: sending them again would only add a duplicate record. */
export async function processedAmong(db: CommonQueryMethods, commandIds: string[]): Promise<readonly string[]> {
  if (commandIds.length === 0) return [];
  return db.anyFirst(sql.type(processedId)`
    SELECT command_id FROM processed_commands WHERE command_id = ANY(${sql.array(commandIds, 'uuid')})`);
}

export async function findGatewayCommand(db: CommonQueryMethods, commandId: string): Promise<GatewayCommand | null> {
  const row = await db.maybeOne(sql.type(recorded)`SELECT ${COLUMNS} FROM gateway_commands WHERE command_id = ${commandId}::uuid`);
  return row === null ? null : fromRow(row);
}
