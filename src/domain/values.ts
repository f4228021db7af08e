/**
 * The value types the rules share with the wire: declared here, in the domain's own words. The
 * Avro schemas must describe the same shapes; src/schemas/domain-check.ts fails the type-check
 * when a schema and these types drift apart.
 */

export const CONTENT_TYPES = ['RESTAURANT', 'PERFORMANCE', 'EXHIBITION'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const APPLICATION_KINDS = ['NEW_LISTING', 'INFO_CHANGE'] as const;
export type ApplicationKind = (typeof APPLICATION_KINDS)[number];

export const AGE_RATINGS = ['ALL', 'AGE_12', 'AGE_15', 'AGE_19'] as const;
export type AgeRating = (typeof AGE_RATINGS)[number];

export const RESTAURANT_TYPES = ['KOREAN', 'CHINESE', 'WESTERN', 'JAPANESE', 'PUB'] as const;
export type RestaurantType = (typeof RESTAURANT_TYPES)[number];

export const PERFORMANCE_TYPES = ['CONCERT', 'MUSICAL', 'PLAY'] as const;
export type PerformanceType = (typeof PERFORMANCE_TYPES)[number];

/** The platform's 13 regions, as its exhibition service names them (docs/operations.md). */
export const REGIONS = [
  'SEOUL', 'INCHEON', 'GYEONGGI', 'GANGWON', 'CHUNGCHEONG', 'DAEJEON', 'JEOLLA', 'GWANGJU', 'GYEONGSANG', 'DAEGU', 'ULSAN', 'BUSAN', 'JEJU',
] as const;
export type Region = (typeof REGIONS)[number];

/**
 * UNKNOWN is never sent: it is the enum's default, what a consumer's older schema makes of a
 * template added after it.
 */
export const NOTIFICATION_TEMPLATES = [
  'APPLICATION_RECEIVED', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'UNKNOWN', 'APPLICATION_AWAITING_REVIEW',
] as const;
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];

export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const REJECTION_CODES = [
  'NOT_FOUND', 'ALREADY_EXISTS', 'NOT_PENDING', 'REASON_REQUIRED', 'FORBIDDEN', 'VALIDATION_FAILED',
  'IDEMPOTENCY_KEY_REUSED', 'DUPLICATE_PENDING', 'LISTING_NOT_FOUND',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Contact {
  phone: string;
  email: string;
}

export interface Address {
  /** Korean 5-digit postal code. */
  postalCode: string;
  /** Road-name address. */
  road: string;
  /** Building, floor, unit. */
  detail: string | null;
}

export interface OpeningHours {
  /** HH:mm, 24-hour clock. */
  opensAt: string;
  /** HH:mm, 24-hour clock. */
  closesAt: string;
  /** true when closesAt is on the next day (e.g. 18:00 to 02:00). */
  overnight: boolean;
}

/** One weekday; hours null means closed that day. */
export interface DayHours {
  day: Weekday;
  hours: OpeningHours | null;
}

/** When tickets are on sale: local times in Korea, YYYY-MM-DDTHH:mm. */
export interface TicketWindow {
  opensAt: string;
  closesAt: string;
}

/** 사업자등록: the number is stored as its 10 digits. */
export interface BusinessRegistration {
  number: string;
  representativeName: string;
}
