import type { CommonQueryMethods } from 'slonik';
import { rowsOf, sql } from './db.ts';

/** One command the gateway was asked to produce; `sent` once the broker acknowledged it. */
export interface GatewayCommand {
  commandId: string;
  fingerprint: string;
  applicationId: string;
  commandType: string;
  requestedBy: string;
  value: Buffer;
  sent: boolean;
}

const fromRow = (row: Record<string, unknown>): GatewayCommand => ({
  commandId: row.command_id as string, fingerprint: row.fingerprint as string, applicationId: row.application_id as string,
  commandType: row.command_type as string, requestedBy: row.requested_by as string,
  value: Buffer.from(row.value as string, 'base64'), sent: row.sent_at !== null,
});

const COLUMNS = sql.fragment`command_id, fingerprint, application_id, command_type, requested_by, encode(value, 'base64') AS value, sent_at`;

/**
 * Records `candidate` unless its commandId is taken; answers the row that holds the id, which
 * is the candidate itself only when it was recorded now.
 */
export async function reserveCommand(db: CommonQueryMethods, candidate: Omit<GatewayCommand, 'sent'>): Promise<GatewayCommand> {
  const inserted = await rowsOf(db, sql.unsafe`
    INSERT INTO gateway_commands (command_id, fingerprint, application_id, command_type, requested_by, value)
    VALUES (${candidate.commandId}::uuid, ${candidate.fingerprint}, ${candidate.applicationId}::uuid, ${candidate.commandType},
      ${candidate.requestedBy}, decode(${candidate.value.toString('base64')}, 'base64'))
    ON CONFLICT (command_id) DO NOTHING
    RETURNING ${COLUMNS}`);
  if (inserted[0] !== undefined) return fromRow(inserted[0]);
  return (await findGatewayCommand(db, candidate.commandId))!;
}

export async function markSent(db: CommonQueryMethods, commandId: string): Promise<void> {
  await db.query(sql.unsafe`UPDATE gateway_commands SET sent_at = now() WHERE command_id = ${commandId}::uuid AND sent_at IS NULL`);
}

export async function findGatewayCommand(db: CommonQueryMethods, commandId: string): Promise<GatewayCommand | null> {
  const rows = await rowsOf(db, sql.unsafe`SELECT ${COLUMNS} FROM gateway_commands WHERE command_id = ${commandId}::uuid`);
  return rows[0] === undefined ? null : fromRow(rows[0]);
}
