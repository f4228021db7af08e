import type { CommonQueryMethods } from 'slonik';
import type { DomainEvent } from '../../domain/types.ts';
import { REVIEW_COMMAND_TYPES, REVIEW_EVENT_TYPES } from '../../domain/values.ts';
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

/**
 * The events of the reviewers' own work (review claims, notes, and refusals of those commands):
 * what an owner never reads. A condition on application_events `e`.
 */
export const reviewersOnly = sql.fragment`(e.type = ANY(${sql.array([...REVIEW_EVENT_TYPES], 'text')})
  OR (e.type = 'CommandRejected' AND e.payload->>'commandType' = ANY(${sql.array([...REVIEW_COMMAND_TYPES], 'text')})))`;

/** The application's history in the order it was written; `reviewer`: with the reviewers' own events (a MASTER). */
export async function historyOf(db: CommonQueryMethods, applicationId: string, reviewer: boolean): Promise<StoredEvent[]> {
  const rows = await db.any(sql.type(storedEvent)`
    SELECT event_id, command_id, type, version, occurred_at, payload FROM application_events e
    WHERE application_id = ${applicationId}::uuid ${reviewer ? sql.fragment`` : sql.fragment`AND NOT ${reviewersOnly}`} ORDER BY id`);
  return rows.map((row) => ({
    eventId: row.event_id, commandId: row.command_id, type: row.type, version: row.version, occurredAt: row.occurred_at, payload: row.payload,
  }));
}
