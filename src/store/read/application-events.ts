import type { CommonQueryMethods } from 'slonik';
import type { DomainEvent } from '../../domain/types.ts';
import { sql } from '../db.ts';
import { applicationEventRow } from '../tables.ts';

/** One row of the append-only `application_events` history. */
export interface StoredEvent {
  eventId: string;
  commandId: string;
  type: DomainEvent['type'];
  version: number;
  occurredAt: number;
  payload: DomainEvent;
}

const storedEvent = applicationEventRow.pick({ event_id: true, command_id: true, type: true, version: true, occurred_at: true, payload: true });

/** The application's history in the order it was written. */
export async function historyOf(db: CommonQueryMethods, applicationId: string): Promise<StoredEvent[]> {
  const rows = await db.any(sql.type(storedEvent)`
    SELECT event_id, command_id, type, version, occurred_at, payload FROM application_events
    WHERE application_id = ${applicationId}::uuid ORDER BY id`);
  return rows.map((row) => ({
    eventId: row.event_id, commandId: row.command_id, type: row.type, version: row.version, occurredAt: row.occurred_at, payload: row.payload,
  }));
}
