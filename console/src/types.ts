/** JSON shapes of the read API (see /openapi.json), as far as the console reads them. */
export type ContentType = 'RESTAURANT' | 'PERFORMANCE' | 'EXHIBITION';
export type Kind = 'NEW_LISTING' | 'INFO_CHANGE';
export type Status = 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface Contact { phone: string; email: string }
export interface Address { postalCode: string; road: string; detail: string | null }
export interface DayHours { day: Weekday; hours: { opensAt: string; closesAt: string; overnight: boolean } | null }
export type Specific =
  | { type: 'RESTAURANT'; cuisine: string; seatCapacity: number }
  | { type: 'PERFORMANCE'; venue: string; startDate: string; endDate: string; runtimeMinutes: number; ageRating: string }
  | { type: 'EXHIBITION'; venue: string; startDate: string; endDate: string; ticketPriceKrw: number };

export interface ListingDetails { type: 'LISTING'; name: string; description: string; contact: Contact; address: Address; businessHours: DayHours[]; specific: Specific }
export interface InfoChangeDetails { type: 'INFO_CHANGE'; contact: Contact | null; address: Address | null; businessHours: DayHours[] | null }

export interface Application {
  id: string; applicantId: string; kind: Kind; contentType: ContentType; status: Status; listingId: string | null; version: number;
  details: ListingDetails | InfoChangeDetails;
  decision: { decidedAt: string | null; decidedBy: string | null; rejectionReason: string | null; decisionNote: string | null };
  createdAt: string; updatedAt: string;
}
export interface HistoryEvent { eventId: string; commandId: string; type: string; version: number; occurredAt: string; payload: Record<string, unknown> }
export interface AdminAction { id: string; adminId: string | null; applicationId: string; action: 'APPROVE' | 'REJECT' | 'DENIED'; reason: string | null; commandId: string; at: string }
export interface Listing {
  id: string; ownerId: string; contentType: ContentType; name: string; description: string; contact: Contact; address: Address;
  businessHours: DayHours[]; specific: Specific; version: number; createdAt: string; updatedAt: string;
}
export interface Page<T> { items: T[]; nextCursor: string | null }
export interface Stats {
  byStatus: Record<Status, number>; byContentType: Record<ContentType, number>; byKind: Record<Kind, number>; oldestPendingAgeSeconds: number | null;
}
