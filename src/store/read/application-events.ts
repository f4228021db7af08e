import type { CommonQueryMethods } from 'slonik';
import { rowsOf, sql } from '../db.ts';

/** One row of the append-only `application_events` history. */
export interface StoredEvent {
  eventId: string;
  commandId: string;
  type: string;
  version: number;
  occurredAt: number;
  payload: unknown;
}

/** The application's history in the order it was written. */
export async function historyOf(db: CommonQueryMethods, applicationId: string): Promise<StoredEvent[]> {
  const rows = await rowsOf(db, sql.unsafe`
    SELECT event_id, command_id, type, version, occurred_at, payload FROM application_events
    WHERE application_id = ${applicationId}::uuid ORDER BY id`);
  return rows.map((row) => ({
    eventId: row.event_id as string, commandId: row.command_id as string, type: row.type as string,
    version: row.version as number, occurredAt: row.occurred_at as number, payload: row.payload,
  }));
}
