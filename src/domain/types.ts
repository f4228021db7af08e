import type {
  AdminActionKind, Address, AgeRating, ApplicationKind, ApplicationStatus, BusinessRegistration, Contact, ContentType, COMMAND_TYPES,
  DayHours, EVENT_TYPES, OpeningHours, PerformanceType, Region, RejectionCode, RestaurantType, TicketWindow,
} from './values.ts';

export type {
  AdminActionKind, Address, AgeRating, ApplicationKind, ApplicationStatus, BusinessRegistration, Contact, ContentType, DayHours,
  OpeningHours, PerformanceType, Region, RejectionCode, RestaurantType, TicketWindow,
};

/**
 * Domain shapes of the approval rules, independent of the Avro-generated types: src/schemas maps
 * between the two at the edge. Plain discriminated unions instead of avsc's wrapped union
 * branches, so the decider reads like the rules it encodes.
 */

/**
 * What each content service needs to register a listing. Fields added in schema v2 are null (or
 * empty) when the producer did not send them: an older producer's applications stay valid.
 */
export type ContentSpecific =
  | { type: 'RESTAURANT'; cuisine: string; seatCapacity: number; restaurantType: RestaurantType | null; ageRating: AgeRating | null }
  | {
    type: 'PERFORMANCE'; venue: string; startDate: string; endDate: string; runtimeMinutes: number; ageRating: AgeRating;
    performanceType: PerformanceType | null; cast: string[]; ticketWindow: TicketWindow | null;
  }
  | {
    type: 'EXHIBITION'; venue: string; startDate: string; endDate: string; ticketPriceKrw: number; region: Region | null;
    artists: string[]; dailyHours: OpeningHours | null; ticketWindow: TicketWindow | null; ageRating: AgeRating | null;
  };

/** A listing's own content: what a NEW_LISTING application proposes and the listing then holds. */
export interface ListingFields {
  name: string;
  description: string;
  contact: Contact;
  address: Address;
  businessHours: DayHours[];
  specific: ContentSpecific;
  businessRegistration: BusinessRegistration | null;
}

export interface ListingDetails extends ListingFields {
  type: 'LISTING';
}

/** The per-type fields an owner may change on a listed venue or show (docs/operations.md). */
export interface SpecificChange {
  /** PERFORMANCE. */
  cast: string[] | null;
  /** EXHIBITION. */
  artists: string[] | null;
  /** EXHIBITION: moves with the address. */
  region: Region | null;
  /** EXHIBITION. */
  dailyHours: OpeningHours | null;
  /** PERFORMANCE and EXHIBITION. */
  ticketWindow: TicketWindow | null;
}

/** null keeps the listing's current value. */
export interface InfoChangeDetails extends SpecificChange {
  type: 'INFO_CHANGE';
  contact: Contact | null;
  address: Address | null;
  businessHours: DayHours[] | null;
}

export type ApplicationDetails = ListingDetails | InfoChangeDetails;

export interface Application {
  id: string;
  applicantId: string;
  kind: ApplicationKind;
  listingId: string | null;
  contentType: ContentType;
  status: ApplicationStatus;
  details: ApplicationDetails;
  version: number;
  createdAt: number;
  updatedAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  rejectionReason: string | null;
  decisionNote: string | null;
  /** The admin reviewing it, as last claimed: held while `expiresAt` lies ahead (see reviewClaimHolder). */
  reviewClaim: ReviewClaim | null;
}

/** A MASTER's claim to review an application: the others see it and may decide only after a take-over. */
export interface ReviewClaim {
  adminId: string;
  /** The claiming command's issuedAt: replaying the command yields the same claim. */
  since: number;
  expiresAt: number;
}

export interface Listing extends ListingFields {
  id: string;
  ownerId: string;
  contentType: ContentType;
  sourceApplicationId: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** The shell verifies the admin token before deciding; the decider sees only the verdict. */
export type AdminAuth =
  | { ok: true; adminId: string }
  | { ok: false; adminId: string | null; reason: string };

export interface CommandMeta {
  commandId: string;
  applicationId: string;
  issuedAt: number;
}

export type CommandBody =
  | { type: 'SubmitApplication'; applicantId: string; kind: ApplicationKind; listingId: string | null; contentType: ContentType; details: ApplicationDetails }
  | { type: 'AmendApplication'; applicantId: string; details: ApplicationDetails }
  | { type: 'WithdrawApplication'; applicantId: string }
  | { type: 'ApproveApplication'; admin: AdminAuth; note: string | null }
  | { type: 'RejectApplication'; admin: AdminAuth; reason: string }
  | { type: 'ClaimReview'; admin: AdminAuth; takeOver: boolean }
  | { type: 'ReleaseReview'; admin: AdminAuth }
  | { type: 'AddReviewerNote'; admin: AdminAuth; text: string };

export type Command = CommandMeta & CommandBody;
export type CommandType = Command['type'];

export interface ApplicationSnapshot {
  applicantId: string;
  kind: ApplicationKind;
  listingId: string | null;
  contentType: ContentType;
  details: ApplicationDetails;
}

export type DomainEvent =
  | { type: 'ApplicationSubmitted'; application: ApplicationSnapshot }
  | { type: 'ApplicationAmended'; applicantId: string; details: ApplicationDetails }
  | { type: 'ApplicationWithdrawn'; applicantId: string }
  | { type: 'ApplicationApproved'; adminId: string; note: string | null; listingId: string; application: ApplicationSnapshot }
  | { type: 'ApplicationRejected'; adminId: string; reason: string }
  | { type: 'ReviewClaimed'; adminId: string; since: number; expiresAt: number; takenOverFrom: string | null }
  | { type: 'ReviewReleased'; adminId: string }
  /** The note's text is not in the event (which travels to the events topic): the shell stores it from the command. */
  | { type: 'ReviewerNoteAdded'; adminId: string }
  | { type: 'CommandRejected'; commandType: CommandType; code: RejectionCode; message: string };

/** One entry of an application's history: an event of a decided command, under the id derived for it. */
export interface RecordedEvent {
  eventId: string;
  applicationId: string;
  commandId: string;
  /** The application's version after the command (0 when it never existed). */
  version: number;
  event: DomainEvent;
  occurredAt: number;
}

/** One entry of the audit log: a decision an admin made, or one refused to them. */
export interface AdminAction {
  adminId: string | null;
  applicationId: string;
  action: AdminActionKind;
  /** The rejection's reason, the approval's note, or why the admin was refused. */
  reason: string | null;
  commandId: string;
  at: number;
}

/** What the idempotency record keeps of a decided command: enough to spot a redelivery and a reused id. */
export interface ProcessedCommand {
  commandId: string;
  payloadHash: string;
  applicationId: string;
  commandType: CommandType;
  /** `ACCEPTED`, or `REJECTED:<code>`. */
  outcome: string;
  sourcePartition: number;
  sourceOffset: string;
  processedAt: number;
}

/** What else the decider must know besides the application itself. */
export interface DecisionContext {
  /** The listing the command concerns: for an INFO_CHANGE, the one named by listingId. */
  listing: Listing | null;
  /** Id of a PENDING INFO_CHANGE application on that listing other than this one, if any. */
  pendingChangeId: string | null;
  /** How long a review claim lasts from the claiming command's issuedAt (REVIEW_CLAIM_MINUTES). */
  reviewClaimMs: number;
}

/** A MASTER's note on an application: stored for MASTER routes only, never on a topic or an owner's route. */
export interface ReviewerNote {
  noteId: string;
  applicationId: string;
  adminId: string;
  text: string;
  commandId: string;
  at: number;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

/** COMMAND_TYPES and EVENT_TYPES name exactly the members of these unions: the type-check fails when one changes alone. */
export type TypeListsMatchUnions = [
  Holds<Same<CommandType, (typeof COMMAND_TYPES)[number]>>,
  Holds<Same<DomainEvent['type'], (typeof EVENT_TYPES)[number]>>,
];
