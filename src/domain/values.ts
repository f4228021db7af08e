import {
  AgeRatingSymbols, ApplicationKindSymbols, ContentTypeSymbols, NotificationTemplateSymbols, PerformanceTypeSymbols, RegionSymbols,
  RejectionCodeSymbols, RestaurantTypeSymbols, WeekdaySymbols,
} from '../schemas/avro-types.ts';

/**
 * The value types the rules share with the wire, in the domain's own words. A symbol list that
 * travels in a message is the Avro enum's (src/schemas/avro-types.ts, generated from avro/), so
 * it is written once, in the schema; the record shapes below must describe the schema's, and
 * src/schemas/domain-check.ts fails the type-check when they drift apart. Every other list of
 * symbols is written here, once, and everything else (the HTTP schemas, /openapi.json, the
 * console, the tables' row schemas) derives from these.
 */

export const CONTENT_TYPES = ContentTypeSymbols;
export type ContentType = (typeof CONTENT_TYPES)[number];

export const APPLICATION_KINDS = ApplicationKindSymbols;
export type ApplicationKind = (typeof APPLICATION_KINDS)[number];

export const AGE_RATINGS = AgeRatingSymbols;
export type AgeRating = (typeof AGE_RATINGS)[number];

export const RESTAURANT_TYPES = RestaurantTypeSymbols;
export type RestaurantType = (typeof RESTAURANT_TYPES)[number];

export const PERFORMANCE_TYPES = PerformanceTypeSymbols;
export type PerformanceType = (typeof PERFORMANCE_TYPES)[number];

/** The platform's 13 regions, as its exhibition service names them (docs/operations.md). */
export const REGIONS = RegionSymbols;
export type Region = (typeof REGIONS)[number];

/**
 * UNKNOWN is never sent: it is the enum's default, what a consumer's older schema makes of a
 * template added after it.
 */
export const NOTIFICATION_TEMPLATES = NotificationTemplateSymbols;
export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];

export const WEEKDAYS = WeekdaySymbols;
export type Weekday = (typeof WEEKDAYS)[number];

export const REJECTION_CODES = RejectionCodeSymbols;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** At most this many decisions in one POST /decisions: the console sends a larger selection in parts of this size. */
export const MAX_DECISIONS = 100;

/** Who a token says its holder is: a MASTER admin decides, an OWNER applies for its own listings. */
export const ROLES = ['MASTER', 'OWNER'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

export const APPLICATION_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * What an admin did: a decision, a review claim (CLAIM, TAKE_OVER of another admin's claim,
 * RELEASE), or DENIED when the processor refused the admin's command itself.
 */
export const ADMIN_ACTIONS = ['APPROVE', 'REJECT', 'DENIED', 'CLAIM', 'TAKE_OVER', 'RELEASE'] as const;
export type AdminActionKind = (typeof ADMIN_ACTIONS)[number];
/** The audit entries an application's owner may read: the decisions, not the reviewers' own work. */
export const OWNER_VISIBLE_ACTIONS = ['APPROVE', 'REJECT', 'DENIED'] as const satisfies readonly AdminActionKind[];

/** The reviewers' own work on an application: MASTER only, never shown to the application's owner. */
export const REVIEW_COMMAND_TYPES = ['ClaimReview', 'ReleaseReview', 'AddReviewerNote'] as const;
export const REVIEW_EVENT_TYPES = ['ReviewClaimed', 'ReviewReleased', 'ReviewerNoteAdded'] as const;

export const COMMAND_TYPES = [
  'SubmitApplication', 'AmendApplication', 'WithdrawApplication', 'ApproveApplication', 'RejectApplication', ...REVIEW_COMMAND_TYPES,
] as const;
export const EVENT_TYPES = [
  'ApplicationSubmitted', 'ApplicationAmended', 'ApplicationWithdrawn', 'ApplicationApproved', 'ApplicationRejected', 'CommandRejected',
  ...REVIEW_EVENT_TYPES,
] as const;

/** Where a command stands for its sender: PENDING until the processor recorded what became of it. */
export const COMMAND_STATUSES = ['PENDING', 'ACCEPTED', 'REJECTED', 'DEAD_LETTERED'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Why the processor put a command record on the DLQ: its `error.code` header. */
export const UNDECODABLE_CODES = ['EMPTY_VALUE', 'BAD_MAGIC_BYTE', 'UNKNOWN_SCHEMA', 'INCOMPATIBLE_SCHEMA', 'MALFORMED_AVRO'] as const;
export const DEAD_LETTER_CODES = [
  ...UNDECODABLE_CODES, 'MISSING_KEY', 'KEY_MISMATCH', 'INVALID_ID', 'INVALID_TEXT',
  /** Decoded, but PostgreSQL refuses to store it (src/processors/poison.ts). */
  'UNWRITABLE',
] as const;
export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

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
