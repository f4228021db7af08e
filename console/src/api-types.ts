// Generated from /openapi.json by console/api-types.ts (`npm run generate:types`); do not edit.
// test/console-types.test.ts fails when this file and the document differ.

/** RFC 9457 problem details. `type` is stable: clients may switch on it. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path. */
  instance?: string;
  /** Every broken field of a request body (command gateway), for forms to show next to the field. */
  errors?: {
    /** As the rules name it: details.contact.phone, details.businessHours[2].hours.closesAt, reason, Idempotency-Key. */
    path: string;
    message: string;
  }[];
  /** The processor's rejection code this refusal stands for, or TOO_MANY_DECISIONS for a POST /decisions of more than it takes. */
  code?: "NOT_FOUND" | "ALREADY_EXISTS" | "NOT_PENDING" | "REASON_REQUIRED" | "FORBIDDEN" | "VALIDATION_FAILED" | "IDEMPOTENCY_KEY_REUSED" | "DUPLICATE_PENDING" | "LISTING_NOT_FOUND" | "UNKNOWN" | "ALREADY_CLAIMED" | "CLAIMED_BY_OTHER" | "NOT_CLAIMED" | "TOO_MANY_DECISIONS";
};

/** How guests reach the venue. */
export type Contact = {
  phone: string;
  email: string;
};

export type Address = {
  /** Korean 5-digit postal code. */
  postalCode: string;
  /** Road-name address. */
  road: string;
  /** Building, floor, unit. */
  detail: string | null;
};

export type OpeningHours = {
  /** HH:mm, 24-hour clock. */
  opensAt: string;
  /** HH:mm, 24-hour clock. */
  closesAt: string;
  /** true when closesAt is on the next day. */
  overnight: boolean;
};

/** One weekday; hours null means closed that day. */
export type DayHours = {
  day: "MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY" | "SUNDAY";
  hours: OpeningHours | null;
};

export type BusinessHours = DayHours[];

/** When tickets are on sale. */
export type TicketWindow = {
  /** YYYY-MM-DDTHH:mm, Korean local time. */
  opensAt: string;
  /** YYYY-MM-DDTHH:mm, no later than the last day of the run. */
  closesAt: string;
};

export type Names = string[];

/** 사업자등록. */
export type BusinessRegistration = {
  /** 10 digits, with or without dashes (stored without). */
  number: string;
  representativeName: string;
};

/** The content-type specific part of a listing. */
export type ContentSpecific = {
  type: "RESTAURANT";
  cuisine: string;
  seatCapacity: number;
  restaurantType: "KOREAN" | "CHINESE" | "WESTERN" | "JAPANESE" | "PUB" | null;
  /** AGE_19 for a PUB. */
  ageRating: "ALL" | "AGE_12" | "AGE_15" | "AGE_19" | null;
} | {
  type: "PERFORMANCE";
  venue: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  runtimeMinutes: number;
  ageRating: "ALL" | "AGE_12" | "AGE_15" | "AGE_19";
  performanceType: "CONCERT" | "MUSICAL" | "PLAY" | null;
  cast: Names;
  ticketWindow: TicketWindow | null;
} | {
  type: "EXHIBITION";
  venue: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  ticketPriceKrw: number;
  region: "SEOUL" | "INCHEON" | "GYEONGGI" | "GANGWON" | "CHUNGCHEONG" | "DAEJEON" | "JEOLLA" | "GWANGJU" | "GYEONGSANG" | "DAEGU" | "ULSAN" | "BUSAN" | "JEJU" | null;
  artists: Names;
  dailyHours: OpeningHours | null;
  ticketWindow: TicketWindow | null;
  ageRating: "ALL" | "AGE_12" | "AGE_15" | "AGE_19" | null;
};

/** Everything a NEW_LISTING application proposes to publish. */
export type ListingDetails = {
  type: "LISTING";
  name: string;
  description: string;
  contact: Contact;
  address: Address;
  businessHours: BusinessHours;
  specific: ContentSpecific;
  businessRegistration: BusinessRegistration | null;
};

/** What an INFO_CHANGE application proposes to replace; null keeps the current value. */
export type InfoChangeDetails = {
  type: "INFO_CHANGE";
  contact: Contact | null;
  address: Address | null;
  businessHours: BusinessHours | null;
  cast: Names | null;
  artists: Names | null;
  region: "SEOUL" | "INCHEON" | "GYEONGGI" | "GANGWON" | "CHUNGCHEONG" | "DAEJEON" | "JEOLLA" | "GWANGJU" | "GYEONGSANG" | "DAEGU" | "ULSAN" | "BUSAN" | "JEJU" | null;
  dailyHours: OpeningHours | null;
  ticketWindow: TicketWindow | null;
};

export type ApplicationDetails = ListingDetails | InfoChangeDetails;

/** The broker acknowledged the command; poll Location for its outcome. */
export type CommandAccepted = {
  /** The Idempotency-Key when given. */
  commandId: string;
  applicationId: string;
  status: "PENDING";
};

/** What the processor recorded for a command. */
export type CommandStatus = {
  commandId: string;
  applicationId: string;
  commandType: "SubmitApplication" | "AmendApplication" | "WithdrawApplication" | "ApproveApplication" | "RejectApplication" | "ClaimReview" | "ReleaseReview" | "AddReviewerNote";
  /** PENDING until the processor applied it; DEAD_LETTERED when it could not take it at all. */
  status: "PENDING" | "ACCEPTED" | "REJECTED" | "DEAD_LETTERED";
  outcome: "ApplicationSubmitted" | "ApplicationAmended" | "ApplicationWithdrawn" | "ApplicationApproved" | "ApplicationRejected" | "CommandRejected" | "ReviewClaimed" | "ReviewReleased" | "ReviewerNoteAdded" | null;
  /** The application version after an accepted command. */
  version: number | null;
  /** The listing an approval published or changed. */
  listingId: string | null;
  /** The rejection code (REJECTED) or the dead letter's code (DEAD_LETTERED). */
  code: "NOT_FOUND" | "ALREADY_EXISTS" | "NOT_PENDING" | "REASON_REQUIRED" | "FORBIDDEN" | "VALIDATION_FAILED" | "IDEMPOTENCY_KEY_REUSED" | "DUPLICATE_PENDING" | "LISTING_NOT_FOUND" | "UNKNOWN" | "ALREADY_CLAIMED" | "CLAIMED_BY_OTHER" | "NOT_CLAIMED" | "EMPTY_VALUE" | "BAD_MAGIC_BYTE" | "UNKNOWN_SCHEMA" | "INCOMPATIBLE_SCHEMA" | "MALFORMED_AVRO" | "MISSING_KEY" | "KEY_MISMATCH" | "INVALID_ID" | "INVALID_TEXT" | "UNWRITABLE" | null;
  message: string | null;
};

/** ACCEPTED once the broker acknowledged its command (poll location for the outcome, NOT_PENDING included), or REFUSED with a code: nothing was sent for it. */
export type DecisionResult = {
  status: "ACCEPTED";
  applicationId: string;
  idempotencyKey: string;
  /** The idempotencyKey. */
  commandId: string;
  /** /commands/{commandId}: poll it for the outcome. */
  location: string;
} | {
  status: "REFUSED";
  /** As given; null when it was not text. */
  applicationId: string | null;
  /** As given; null when it was not text. */
  idempotencyKey: string | null;
  code: "VALIDATION_FAILED" | "REASON_REQUIRED" | "DUPLICATE_KEY" | "IDEMPOTENCY_KEY_REUSED" | "BROKER_UNAVAILABLE";
  message: string;
  /** The broken fields of the item, by their path in it. */
  errors: {
    path: string;
    message: string;
  }[];
};

export type DecisionResults = {
  /** One per decision, in request order. */
  results: DecisionResult[];
};

export type Decision = {
  decidedAt: string | null;
  /** Admin id taken from the verified token. */
  decidedBy: string | null;
  rejectionReason: string | null;
  decisionNote: string | null;
};

export type ReviewClaim = {
  /** The MASTER reviewing it. */
  adminId: string;
  since: string;
  /** REVIEW_CLAIM_MINUTES after the claim; a decision or release ends it earlier. */
  expiresAt: string;
};

export type Application = {
  id: string;
  /** The business name: the one a NEW_LISTING proposes, or that of the listing an INFO_CHANGE changes. */
  name: string | null;
  applicantId: string;
  kind: "NEW_LISTING" | "INFO_CHANGE";
  contentType: "RESTAURANT" | "PERFORMANCE" | "EXHIBITION";
  status: "PENDING" | "APPROVED" | "REJECTED" | "WITHDRAWN";
  /** The listing an INFO_CHANGE concerns, or the one an approved NEW_LISTING created. */
  listingId: string | null;
  /** Grows by one per accepted change. */
  version: number;
  details: ApplicationDetails;
  decision: Decision;
  createdAt: string;
  updatedAt: string;
  /** While PENDING: when reviewers must have decided (REVIEW_DEADLINE_HOURS after submission); past it, the application is overdue. Null once decided. */
  reviewDueAt: string | null;
  /** Who holds the application for review right now; null when no one does. Always null for an OWNER. */
  reviewClaim: ReviewClaim | null;
};

export type ApplicationSnapshot = {
  applicantId: string;
  kind: "NEW_LISTING" | "INFO_CHANGE";
  listingId: string | null;
  contentType: "RESTAURANT" | "PERFORMANCE" | "EXHIBITION";
  details: ApplicationDetails;
};

/** The outcome event as the processor recorded it; `type` says which. */
export type EventPayload = {
  type: "ApplicationSubmitted";
  application: ApplicationSnapshot;
} | {
  type: "ApplicationAmended";
  applicantId: string;
  details: ApplicationDetails;
} | {
  type: "ApplicationWithdrawn";
  applicantId: string;
} | {
  type: "ApplicationApproved";
  adminId: string;
  note: string | null;
  listingId: string;
  application: ApplicationSnapshot;
} | {
  type: "ApplicationRejected";
  adminId: string;
  reason: string;
} | {
  type: "ReviewClaimed";
  adminId: string;
  since: number;
  expiresAt: number;
  takenOverFrom: string | null;
} | {
  type: "ReviewReleased";
  adminId: string;
} | {
  type: "ReviewerNoteAdded";
  adminId: string;
} | {
  type: "CommandRejected";
  commandType: "SubmitApplication" | "AmendApplication" | "WithdrawApplication" | "ApproveApplication" | "RejectApplication" | "ClaimReview" | "ReleaseReview" | "AddReviewerNote";
  code: "NOT_FOUND" | "ALREADY_EXISTS" | "NOT_PENDING" | "REASON_REQUIRED" | "FORBIDDEN" | "VALIDATION_FAILED" | "IDEMPOTENCY_KEY_REUSED" | "DUPLICATE_PENDING" | "LISTING_NOT_FOUND" | "UNKNOWN" | "ALREADY_CLAIMED" | "CLAIMED_BY_OTHER" | "NOT_CLAIMED";
  message: string;
};

export type ApplicationEvent = {
  /** Stable id; consumers of the events topic dedupe by it. */
  eventId: string;
  commandId: string;
  type: "ApplicationSubmitted" | "ApplicationAmended" | "ApplicationWithdrawn" | "ApplicationApproved" | "ApplicationRejected" | "CommandRejected" | "ReviewClaimed" | "ReviewReleased" | "ReviewerNoteAdded";
  /** Application version after this event; unchanged by CommandRejected. */
  version: number;
  occurredAt: string;
  payload: EventPayload;
};

/** An application with its history. */
export type ApplicationWithHistory = {
  id: string;
  /** The business name: the one a NEW_LISTING proposes, or that of the listing an INFO_CHANGE changes. */
  name: string | null;
  applicantId: string;
  kind: "NEW_LISTING" | "INFO_CHANGE";
  contentType: "RESTAURANT" | "PERFORMANCE" | "EXHIBITION";
  status: "PENDING" | "APPROVED" | "REJECTED" | "WITHDRAWN";
  /** The listing an INFO_CHANGE concerns, or the one an approved NEW_LISTING created. */
  listingId: string | null;
  /** Grows by one per accepted change. */
  version: number;
  details: ApplicationDetails;
  decision: Decision;
  createdAt: string;
  updatedAt: string;
  /** While PENDING: when reviewers must have decided (REVIEW_DEADLINE_HOURS after submission); past it, the application is overdue. Null once decided. */
  reviewDueAt: string | null;
  /** Who holds the application for review right now; null when no one does. Always null for an OWNER. */
  reviewClaim: ReviewClaim | null;
  /** Every outcome event of the application, in the order written. */
  history: ApplicationEvent[];
};

/** One row of the audit log: every decision, including refused ones (DENIED). */
export type AdminAction = {
  /** Position in the audit log (a bigint as decimal text). */
  id: string;
  /** null when a refused token named no admin. */
  adminId: string | null;
  applicationId: string;
  /** The business name of the application decided (see Application.name). */
  applicationName: string | null;
  action: "APPROVE" | "REJECT" | "DENIED" | "CLAIM" | "TAKE_OVER" | "RELEASE";
  /** Rejection reason, or why a decision was DENIED. */
  reason: string | null;
  commandId: string;
  at: string;
};

/** A note reviewers keep for each other; never shown to the owner. */
export type ReviewerNote = {
  noteId: string;
  /** The MASTER who wrote it, from the verified token. */
  adminId: string;
  text: string;
  commandId: string;
  at: string;
};

export type ReviewerNoteList = {
  items: ReviewerNote[];
};

export type Listing = {
  id: string;
  ownerId: string;
  contentType: "RESTAURANT" | "PERFORMANCE" | "EXHIBITION";
  name: string;
  description: string;
  contact: Contact;
  address: Address;
  businessHours: BusinessHours;
  specific: ContentSpecific;
  businessRegistration: BusinessRegistration | null;
  /** The approved application that created or last changed it. */
  sourceApplicationId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
};

/** Opaque; pass it as `cursor` for the next page. null on the last page. */
export type NextCursor = string | null;

export type ApplicationPage = {
  items: Application[];
  nextCursor: NextCursor;
  /** How many applications the whole query matches, over all its pages. */
  total: number;
};

export type AdminActionPage = {
  items: AdminAction[];
  nextCursor: NextCursor;
};

export type ListingPage = {
  items: Listing[];
  nextCursor: NextCursor;
};

export type AdminActionList = {
  items: AdminAction[];
};

export type Stats = {
  byStatus: {
    PENDING: number;
    APPROVED: number;
    REJECTED: number;
    WITHDRAWN: number;
  };
  byContentType: {
    RESTAURANT: number;
    PERFORMANCE: number;
    EXHIBITION: number;
  };
  byKind: {
    NEW_LISTING: number;
    INFO_CHANGE: number;
  };
  /** Whole seconds; null when nothing is pending. */
  oldestPendingAgeSeconds: number | null;
  /** PENDING applications submitted longer than REVIEW_DEADLINE_HOURS ago. */
  overdue: number;
};

export type Health = {
  status: "ok";
};

export type Readiness = {
  status: "ready" | "not ready";
  /** database, brokerAnswering (the broker answered the consumer within its session timeout), consumerJoined, stalledStep. */
  checks: Record<string, boolean | string>;
};

/** One decision: its own command with its own idempotency key. */
export type DecisionRequest = {
  applicationId: string;
  /** Becomes this decision's commandId; a retried request with it sends nothing new. */
  idempotencyKey: string;
  decision: "APPROVE";
  /** At most 1000 characters. */
  note?: string | null;
} | {
  applicationId: string;
  /** Becomes this decision's commandId; a retried request with it sends nothing new. */
  idempotencyKey: string;
  decision: "REJECT";
  /** Trimmed, 1 to 1000 characters. */
  reason: string;
};

/** 1 to 100 decisions; each is judged on its own, so a broken one refuses only itself. */
export type DecisionsRequest = {
  decisions: DecisionRequest[];
};

export type ReviewerNoteRequest = {
  /** Trimmed, 1 to 2000 characters. Shown to MASTER admins only. */
  text: string;
};

export type ReviewReleaseRequest = Record<string, never>;

export type ReviewClaimRequest = {
  /** End another admin's live claim (recorded as TAKE_OVER); without it such a claim is refused with ALREADY_CLAIMED. */
  takeOver?: boolean;
};

export type RejectRequest = {
  /** Trimmed, 1 to 1000 characters. */
  reason: string;
};

export type ApproveRequest = {
  /** At most 1000 characters. */
  note?: string | null;
};

export type WithdrawRequest = Record<string, never>;

export type AmendRequest = {
  details: ApplicationDetailsInput;
};

export type ApplicationDetailsInput = ListingDetailsInput | InfoChangeDetailsInput;

/** What an INFO_CHANGE application proposes to replace; null keeps the current value. */
export type InfoChangeDetailsInput = {
  type: "INFO_CHANGE";
  contact?: Contact | null;
  address?: AddressInput | null;
  businessHours?: BusinessHoursInput | null;
  cast?: Names | null;
  artists?: Names | null;
  region?: "SEOUL" | "INCHEON" | "GYEONGGI" | "GANGWON" | "CHUNGCHEONG" | "DAEJEON" | "JEOLLA" | "GWANGJU" | "GYEONGSANG" | "DAEGU" | "ULSAN" | "BUSAN" | "JEJU" | null;
  dailyHours?: OpeningHoursInput | null;
  ticketWindow?: TicketWindow | null;
};

export type OpeningHoursInput = {
  /** HH:mm, 24-hour clock. */
  opensAt: string;
  /** HH:mm, 24-hour clock. */
  closesAt: string;
  /** true when closesAt is on the next day. */
  overnight?: boolean;
};

export type BusinessHoursInput = DayHoursInput[];

/** One weekday; hours null means closed that day. */
export type DayHoursInput = {
  day: "MONDAY" | "TUESDAY" | "WEDNESDAY" | "THURSDAY" | "FRIDAY" | "SATURDAY" | "SUNDAY";
  hours: OpeningHoursInput | null;
};

export type AddressInput = {
  /** Korean 5-digit postal code. */
  postalCode: string;
  /** Road-name address. */
  road: string;
  /** Building, floor, unit. */
  detail?: string | null;
};

/** Everything a NEW_LISTING application proposes to publish. */
export type ListingDetailsInput = {
  type: "LISTING";
  name: string;
  description?: string;
  contact: Contact;
  address: AddressInput;
  businessHours: BusinessHoursInput;
  specific: ContentSpecificInput;
  businessRegistration?: BusinessRegistration | null;
};

/** The content-type specific part of a listing. */
export type ContentSpecificInput = {
  type: "RESTAURANT";
  cuisine: string;
  seatCapacity: number;
  restaurantType?: "KOREAN" | "CHINESE" | "WESTERN" | "JAPANESE" | "PUB" | null;
  /** AGE_19 for a PUB. */
  ageRating?: "ALL" | "AGE_12" | "AGE_15" | "AGE_19" | null;
} | {
  type: "PERFORMANCE";
  venue: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  runtimeMinutes: number;
  ageRating: "ALL" | "AGE_12" | "AGE_15" | "AGE_19";
  performanceType?: "CONCERT" | "MUSICAL" | "PLAY" | null;
  cast?: Names;
  ticketWindow?: TicketWindow | null;
} | {
  type: "EXHIBITION";
  venue: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  ticketPriceKrw: number;
  region?: "SEOUL" | "INCHEON" | "GYEONGGI" | "GANGWON" | "CHUNGCHEONG" | "DAEJEON" | "JEOLLA" | "GWANGJU" | "GYEONGSANG" | "DAEGU" | "ULSAN" | "BUSAN" | "JEJU" | null;
  artists?: Names;
  dailyHours?: OpeningHoursInput | null;
  ticketWindow?: TicketWindow | null;
  ageRating?: "ALL" | "AGE_12" | "AGE_15" | "AGE_19" | null;
};

/** The applicant is the OWNER token's subject. listingId: null for NEW_LISTING, the listing to change for INFO_CHANGE. */
export type SubmitRequest = {
  /** Optional; a new id is chosen when absent. */
  applicationId?: string;
  kind: "NEW_LISTING" | "INFO_CHANGE";
  contentType: "RESTAURANT" | "PERFORMANCE" | "EXHIBITION";
  listingId?: string | null;
  details: ApplicationDetailsInput;
};
