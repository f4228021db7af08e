import { z } from 'zod';
import type { DomainEvent } from '../../domain/types.ts';
import { REVIEW_COMMAND_TYPES, REVIEW_EVENT_TYPES } from '../../domain/values.ts';
import { sql } from '../db.ts';
import { applicationEventRow, jsonTime } from '../tables.ts';

/** One row of the append-only `application_events` history. */
export interface StoredEvent {
  eventId: string;
  commandId: string;
  type: DomainEvent['type'];
  version: number;
  occurredAt: number;
  payload: DomainEvent;
}

/** The history as its json_agg answers it: timestamps as ISO text. */
export const historyJson = z.array(applicationEventRow.pick({ event_id: true, command_id: true, type: true, version: true, payload: true }).extend({ occurred_at: jsonTime }));

/**
 * The events of the reviewers' own work (review claims, notes, and refusals of those commands):
 * what an owner never reads. A condition on application_events `e`.
 */
export const reviewersOnly = sql.fragment`(e.type = ANY(${sql.array([...REVIEW_EVENT_TYPES], 'text')})
  OR (e.type = 'CommandRejected' AND e.payload->>'commandType' = ANY(${sql.array([...REVIEW_COMMAND_TYPES], 'text')})))`;

/**
 * The history of the application `a` of the enclosing statement, in the order it was written, as
 * one json column (read with `historyJson`): the application and its history answer in one
 * statement. `reviewer`: with the reviewers' own events (a MASTER).
 */
export const historyColumn = (reviewer: boolean) => sql.fragment`(
  SELECT COALESCE(json_agg(json_build_object('event_id', e.event_id, 'command_id', e.command_id, 'type', e.type, 'version', e.version,
    'occurred_at', e.occurred_at, 'payload', e.payload) ORDER BY e.id), '[]'::json)
  FROM application_events e WHERE e.application_id = a.id ${reviewer ? sql.fragment`` : sql.fragment`AND NOT ${reviewersOnly}`})`;

export const storedEventsOf = (rows: z.infer<typeof historyJson>): StoredEvent[] => rows.map((row) => ({
  eventId: row.event_id, commandId: row.command_id, type: row.type, version: row.version, occurredAt: row.occurred_at, payload: row.payload,
}));
