/** The pure core of the approval processor: rules in, events out, no I/O. */
export { decider, type Decider } from './decider.ts';
export { decide } from './decide.ts';
export { evolve } from './evolve.ts';
export type { EvolveMeta } from './evolve.ts';
export { evolveListing } from './listing.ts';
export { pendingChangeAfter } from './pending-change.ts';
export { claimedByOther, describeClaim, reviewClaimHolder } from './review-claim.ts';
export type { ApprovedEvent, ListingMeta } from './listing.ts';
export { LISTING_ID_NAMESPACE, listingIdFor, uuidV5 } from './listing-id.ts';
export {
  LIMITS, checkRejectionReason, checkReviewerNote, validateAddress, validateApplicantId, validateBusinessHours, validateContact,
  validateDetails, validateInfoChangeDetails, validateListingDetails, validateNote, validateSpecific,
  validateSubmission,
} from './validate.ts';
export type { DetailsContext, ReasonCheck, Submission } from './validate.ts';
export { codePointLength, isCalendarDate } from './formats.ts';
export { hasValidCheckDigit, registrationDigits } from './business-registration.ts';
export { ADULTS_ONLY, CHANGEABLE_BY, NO_SPECIFIC_CHANGE } from './registration-data.ts';
export type * from '../../domain/types.ts';
