/** JSON shapes of the read API (see /openapi.json), as far as the console reads them. */
export type ContentType = 'RESTAURANT' | 'PERFORMANCE' | 'EXHIBITION';
export type Kind = 'NEW_LISTING' | 'INFO_CHANGE';
export type Status = 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Contact { phone: string; email: string }
export interface Address { postalCode: string; road: string; detail: string | null }
export interface OpeningHours { opensAt: string; closesAt: string; overnight: boolean }
export interface DayHours { day: Weekday; hours: OpeningHours | null }
// The symbols are the domain's: written once, in src/domain/values.ts.
export { AGE_RATINGS, PERFORMANCE_TYPES, REGIONS, RESTAURANT_TYPES } from '../../src/domain/values.ts';
export type { AgeRating, PerformanceType, Region, RestaurantType, TicketWindow, BusinessRegistration } from '../../src/domain/values.ts';
import type { AgeRating, BusinessRegistration, PerformanceType, Region, RestaurantType, TicketWindow } from '../../src/domain/values.ts';
export type Specific =
  | { type: 'RESTAURANT'; cuisine: string; seatCapacity: number; restaurantType: RestaurantType | null; ageRating: AgeRating | null }
  | {
    type: 'PERFORMANCE'; venue: string; startDate: string; endDate: string; runtimeMinutes: number; ageRating: AgeRating;
    performanceType: PerformanceType | null; cast: string[]; ticketWindow: TicketWindow | null;
  }
  | {
    type: 'EXHIBITION'; venue: string; startDate: string; endDate: string; ticketPriceKrw: number; region: Region | null; artists: string[];
    dailyHours: OpeningHours | null; ticketWindow: TicketWindow | null; ageRating: AgeRating | null;
  };

export interface ListingDetails {
  type: 'LISTING'; name: string; description: string; contact: Contact; address: Address; businessHours: DayHours[]; specific: Specific;
  businessRegistration: BusinessRegistration | null;
}
/** What an owner may change per type (docs/operations.md); null keeps the listing's value. */
export interface SpecificChange { cast: string[] | null; artists: string[] | null; region: Region | null; dailyHours: OpeningHours | null; ticketWindow: TicketWindow | null }
export interface InfoChangeDetails extends SpecificChange { type: 'INFO_CHANGE'; contact: Contact | null; address: Address | null; businessHours: DayHours[] | null }

export interface Application {
  /** The business name: the proposed one, or the listing's for an INFO_CHANGE. */
  id: string; name: string | null; applicantId: string; kind: Kind; contentType: ContentType; status: Status; listingId: string | null; version: number;
  details: ListingDetails | InfoChangeDetails;
  decision: { decidedAt: string | null; decidedBy: string | null; rejectionReason: string | null; decisionNote: string | null };
  createdAt: string; updatedAt: string;
}
export interface HistoryEvent { eventId: string; commandId: string; type: string; version: number; occurredAt: string; payload: Record<string, unknown> }
export interface AdminAction { id: string; adminId: string | null; applicationId: string; applicationName: string | null; action: 'APPROVE' | 'REJECT' | 'DENIED'; reason: string | null; commandId: string; at: string }
export interface Listing {
  id: string; ownerId: string; contentType: ContentType; name: string; description: string; contact: Contact; address: Address;
  businessHours: DayHours[]; specific: Specific; businessRegistration: BusinessRegistration | null; version: number; createdAt: string; updatedAt: string;
}
export interface Page<T> { items: T[]; nextCursor: string | null }
export interface Stats {
  byStatus: Record<Status, number>; byContentType: Record<ContentType, number>; byKind: Record<Kind, number>; oldestPendingAgeSeconds: number | null;
}
