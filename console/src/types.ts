/**
 * The read API's JSON shapes, by the names the console uses: the types generated from
 * /openapi.json (./api-types.ts), never restated here. The symbol lists the forms offer come from
 * the service's own domain values.
 */
import type { Application, ApplicationEvent, ContentSpecific, InfoChangeDetails, NextCursor } from './api-types.ts';

export type {
  AdminAction, Address, Application, ApplicationPage, CommandStatus, Contact, DayHours, InfoChangeDetails, Listing, ListingDetails, ReviewClaim,
  ReviewerNote, Stats,
} from './api-types.ts';
export { ADMIN_ACTIONS, AGE_RATINGS, APPLICATION_STATUSES, CONTENT_TYPES, WEEKDAYS } from '../../src/domain/values.ts';

export type ContentType = Application['contentType'];
export type Kind = Application['kind'];
export type Status = Application['status'];
export type Specific = ContentSpecific;
export type HistoryEvent = ApplicationEvent;
export interface Page<T> { items: T[]; nextCursor: NextCursor }
export { PERFORMANCE_TYPES, REGIONS, RESTAURANT_TYPES } from '../../src/domain/values.ts';
export type { BusinessRegistration, OpeningHours, TicketWindow } from './api-types.ts';
/** What an owner may change per type (docs/operations.md); null keeps the listing's value. */
export type SpecificChange = Pick<InfoChangeDetails, 'cast' | 'artists' | 'region' | 'dailyHours' | 'ticketWindow'>;
/** POST /decisions: many approvals or rejections in one request, a result per item. */
export type { DecisionRequest, DecisionResult, DecisionResults, DecisionsRequest } from './api-types.ts';
export { MAX_DECISIONS } from '../../src/domain/values.ts';
