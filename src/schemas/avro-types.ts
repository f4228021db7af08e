// Generated from avro/*.avsc by `npm run generate:types`. Do not edit: a test fails when it drifts.

/** A MASTER's note for the other reviewers; never shown to the owner. */
export interface AddReviewerNote {
  adminToken: string;
  text: string;
}

export interface Address {
  /** Korean 5-digit postal code. */
  postalCode: string;
  /** Road-name address. */
  road: string;
  /** Building, floor, unit. */
  detail: string | null;
}

export const AgeRatingSymbols = ['ALL', 'AGE_12', 'AGE_15', 'AGE_19'] as const;
export type AgeRating = (typeof AgeRatingSymbols)[number];

export interface AmendApplication {
  applicantId: string;
  details: { 'platform.backoffice.ListingDetails': ListingDetails } | { 'platform.backoffice.InfoChangeDetails': InfoChangeDetails };
}

export interface ApplicationAmended {
  applicantId: string;
  details: { 'platform.backoffice.ListingDetails': ListingDetails } | { 'platform.backoffice.InfoChangeDetails': InfoChangeDetails };
}

export interface ApplicationApproved {
  adminId: string;
  note: string | null;
  /** The listing created (NEW_LISTING) or changed (INFO_CHANGE). */
  listingId: string;
  application: ApplicationSnapshot;
}

/** Topic backoffice.application-commands, key = applicationId. */
export interface ApplicationCommand {
  /** Idempotency key. */
  commandId: string;
  applicationId: string;
  issuedAt: number;
  payload: { 'platform.backoffice.SubmitApplication': SubmitApplication } | { 'platform.backoffice.AmendApplication': AmendApplication } | { 'platform.backoffice.WithdrawApplication': WithdrawApplication } | { 'platform.backoffice.ApproveApplication': ApproveApplication } | { 'platform.backoffice.RejectApplication': RejectApplication } | { 'platform.backoffice.ClaimReview': ClaimReview } | { 'platform.backoffice.ReleaseReview': ReleaseReview } | { 'platform.backoffice.AddReviewerNote': AddReviewerNote };
}

/** Topic backoffice.application-events, key = applicationId. eventId is stable: consumers dedupe by it. */
export interface ApplicationEvent {
  eventId: string;
  commandId: string;
  applicationId: string;
  /** Application version after this event; unchanged by CommandRejected. */
  version: number;
  occurredAt: number;
  payload: { 'platform.backoffice.ApplicationSubmitted': ApplicationSubmitted } | { 'platform.backoffice.ApplicationAmended': ApplicationAmended } | { 'platform.backoffice.ApplicationWithdrawn': ApplicationWithdrawn } | { 'platform.backoffice.ApplicationApproved': ApplicationApproved } | { 'platform.backoffice.ApplicationRejected': ApplicationRejected } | { 'platform.backoffice.ReviewClaimed': ReviewClaimed } | { 'platform.backoffice.ReviewReleased': ReviewReleased } | { 'platform.backoffice.ReviewerNoteAdded': ReviewerNoteAdded } | { 'platform.backoffice.CommandRejected': CommandRejected };
}

export const ApplicationKindSymbols = ['NEW_LISTING', 'INFO_CHANGE'] as const;
export type ApplicationKind = (typeof ApplicationKindSymbols)[number];

export interface ApplicationRejected {
  adminId: string;
  reason: string;
}

export interface ApplicationSnapshot {
  applicantId: string;
  kind: ApplicationKind;
  listingId: string | null;
  contentType: ContentType;
  details: { 'platform.backoffice.ListingDetails': ListingDetails } | { 'platform.backoffice.InfoChangeDetails': InfoChangeDetails };
}

export interface ApplicationSubmitted {
  application: ApplicationSnapshot;
}

export interface ApplicationWithdrawn {
  applicantId: string;
}

export interface ApproveApplication {
  /** JWT signed by the identity provider; sub = admin id, role = MASTER. */
  adminToken: string;
  note: string | null;
}

/** The business registration (사업자등록) the applicant trades under. */
export interface BusinessRegistration {
  /** 사업자등록번호: 10 digits, no dashes, with a valid National Tax Service check digit. */
  number: string;
  /** 대표자명, as on the registration certificate. */
  representativeName: string;
}

/** A MASTER claims the application for review (REVIEW_CLAIM_MINUTES from issuedAt); takeOver ends another admin's claim. */
export interface ClaimReview {
  adminToken: string;
  takeOver: boolean;
}

export interface CommandRejected {
  commandType: string;
  code: RejectionCode;
  message: string;
}

/** How guests reach the venue. */
export interface Contact {
  phone: string;
  email: string;
}

export const ContentTypeSymbols = ['RESTAURANT', 'PERFORMANCE', 'EXHIBITION'] as const;
export type ContentType = (typeof ContentTypeSymbols)[number];

/** One weekday. hours null means closed that day. */
export interface DayHours {
  day: Weekday;
  hours: OpeningHours | null;
}

export interface ExhibitionDetails {
  venue: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  /** 0 for free entry. */
  ticketPriceKrw: number;
  region: Region | null;
  artists: string[];
  /** When the exhibition opens and closes on the days it is open. */
  dailyHours: OpeningHours | null;
  ticketWindow: TicketWindow | null;
  ageRating: AgeRating | null;
}

/** What an INFO_CHANGE application proposes to replace on an existing listing; null keeps the current value, at least one must be set. The type, age rating and business registration are not changed this way: they make a new listing. */
export interface InfoChangeDetails {
  contact: Contact | null;
  address: Address | null;
  businessHours: DayHours[] | null;
  /** PERFORMANCE only. */
  cast: string[] | null;
  /** EXHIBITION only. */
  artists: string[] | null;
  /** EXHIBITION only: it moves with the address. */
  region: Region | null;
  /** EXHIBITION only. */
  dailyHours: OpeningHours | null;
  /** PERFORMANCE and EXHIBITION. */
  ticketWindow: TicketWindow | null;
}

/** Everything a NEW_LISTING application proposes to publish. */
export interface ListingDetails {
  name: string;
  description: string;
  contact: Contact;
  address: Address;
  businessHours: DayHours[];
  specific: { 'platform.backoffice.RestaurantDetails': RestaurantDetails } | { 'platform.backoffice.PerformanceDetails': PerformanceDetails } | { 'platform.backoffice.ExhibitionDetails': ExhibitionDetails };
  businessRegistration: BusinessRegistration | null;
}

/** Topics backoffice.listings.restaurant|performance|exhibition, key = listingId. */
export interface ListingEvent {
  eventId: string;
  listingId: string;
  ownerId: string;
  contentType: ContentType;
  /** The approved application this change comes from. */
  applicationId: string;
  /** Listing version after this event. */
  version: number;
  occurredAt: number;
  payload: { 'platform.backoffice.ListingPublished': ListingPublished } | { 'platform.backoffice.ListingInfoChanged': ListingInfoChanged };
}

export interface ListingInfoChanged {
  contact: Contact;
  address: Address;
  businessHours: DayHours[];
  /** The listing's type-specific details after the change; null only from before they could change. */
  specific: { 'platform.backoffice.RestaurantDetails': RestaurantDetails } | { 'platform.backoffice.PerformanceDetails': PerformanceDetails } | { 'platform.backoffice.ExhibitionDetails': ExhibitionDetails } | null;
}

export interface ListingPublished {
  listing: ListingDetails;
}

/** Topic backoffice.notifications, key = recipientId. */
export interface NotificationRequested {
  notificationId: string;
  recipientId: string;
  template: NotificationTemplate;
  applicationId: string;
  contentType: ContentType;
  reason: string | null;
  occurredAt: number;
}

export const NotificationTemplateSymbols = ['APPLICATION_RECEIVED', 'APPLICATION_APPROVED', 'APPLICATION_REJECTED', 'UNKNOWN', 'APPLICATION_AWAITING_REVIEW'] as const;
export type NotificationTemplate = (typeof NotificationTemplateSymbols)[number];

export interface OpeningHours {
  /** HH:mm, 24-hour clock. */
  opensAt: string;
  /** HH:mm, 24-hour clock. */
  closesAt: string;
  /** true when closesAt is on the next day (e.g. 18:00 to 02:00). */
  overnight: boolean;
}

export interface PerformanceDetails {
  venue: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD */
  endDate: string;
  runtimeMinutes: number;
  ageRating: AgeRating;
  performanceType: PerformanceType | null;
  /** Performers, in billing order. */
  cast: string[];
  /** When tickets are on sale. */
  ticketWindow: TicketWindow | null;
}

export const PerformanceTypeSymbols = ['CONCERT', 'MUSICAL', 'PLAY'] as const;
export type PerformanceType = (typeof PerformanceTypeSymbols)[number];

export const RegionSymbols = ['SEOUL', 'INCHEON', 'GYEONGGI', 'GANGWON', 'CHUNGCHEONG', 'DAEJEON', 'JEOLLA', 'GWANGJU', 'GYEONGSANG', 'DAEGU', 'ULSAN', 'BUSAN', 'JEJU'] as const;
export type Region = (typeof RegionSymbols)[number];

export interface RejectApplication {
  adminToken: string;
  reason: string;
}

export const RejectionCodeSymbols = ['NOT_FOUND', 'ALREADY_EXISTS', 'NOT_PENDING', 'REASON_REQUIRED', 'FORBIDDEN', 'VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'DUPLICATE_PENDING', 'LISTING_NOT_FOUND', 'UNKNOWN', 'ALREADY_CLAIMED', 'CLAIMED_BY_OTHER', 'NOT_CLAIMED'] as const;
export type RejectionCode = (typeof RejectionCodeSymbols)[number];

/** The holder gives its review claim up. */
export interface ReleaseReview {
  adminToken: string;
}

export interface RestaurantDetails {
  cuisine: string;
  seatCapacity: number;
  /** The restaurant service's type; a PUB admits adults only. */
  restaurantType: RestaurantType | null;
  /** AGE_19 for a PUB. */
  ageRating: AgeRating | null;
}

export const RestaurantTypeSymbols = ['KOREAN', 'CHINESE', 'WESTERN', 'JAPANESE', 'PUB'] as const;
export type RestaurantType = (typeof RestaurantTypeSymbols)[number];

/** A MASTER holds the application for review until expiresAt, or until a decision or release ends it. */
export interface ReviewClaimed {
  adminId: string;
  since: number;
  expiresAt: number;
  /** The admin whose live claim this one ended. */
  takenOverFrom: string | null;
}

export interface ReviewReleased {
  adminId: string;
}

/** A reviewer wrote a note. The text is deliberately not here: it is kept for MASTER routes of the service only. */
export interface ReviewerNoteAdded {
  adminId: string;
}

export interface SubmitApplication {
  applicantId: string;
  kind: ApplicationKind;
  listingId: string | null;
  contentType: ContentType;
  details: { 'platform.backoffice.ListingDetails': ListingDetails } | { 'platform.backoffice.InfoChangeDetails': InfoChangeDetails };
}

/** When tickets are on sale, Korean local time (KST). */
export interface TicketWindow {
  /** YYYY-MM-DDTHH:mm */
  opensAt: string;
  /** YYYY-MM-DDTHH:mm, after opensAt and no later than the last day of the run. */
  closesAt: string;
}

export const WeekdaySymbols = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WeekdaySymbols)[number];

export interface WithdrawApplication {
  applicantId: string;
}
