import { AGE_RATINGS, WEEKDAYS } from '../../domain/values.ts';
import { businessRegistrationProblems } from './business-registration.ts';
import {
  emailProblems, integerProblems, isCalendarDate, openingHoursProblems, phoneProblems, symbolProblems, textProblems,
} from './formats.ts';
import {
  exhibitionDataProblems, performanceDataProblems, restaurantDataProblems, SPECIFIC_CHANGE_FIELDS, specificChangeProblems,
} from './registration-data.ts';
import type {
  Address, ApplicationDetails, ApplicationKind, Contact, ContentSpecific, ContentType, DayHours,
  InfoChangeDetails, ListingDetails,
} from '../../domain/types.ts';

/**
 * The content rules of an application. Every function returns all problems it finds as
 * `<field path>: <why>` strings (empty when valid): the applicant sees everything to fix in one
 * CommandRejected instead of discovering the rules one rejection at a time.
 */

/** Limits in code points (text) or units (numbers); exported so forms and docs can quote them. */
export const LIMITS = {
  applicantId: 100,
  name: 100,
  description: 2000,
  road: 200,
  addressDetail: 200,
  cuisine: 50,
  seatCapacity: { min: 1, max: 10_000 },
  venue: 200,
  runtimeMinutes: { min: 1, max: 1440 },
  ticketPriceKrw: { min: 0, max: 10_000_000 },
  note: 1000,
  reason: 1000,
  reviewerNote: 2000,
} as const;

export interface DetailsContext {
  kind: ApplicationKind;
  contentType: ContentType;
}

const EXPECTED_DETAILS_TYPE = { NEW_LISTING: 'LISTING', INFO_CHANGE: 'INFO_CHANGE' } as const;

export function validateDetails(details: ApplicationDetails, { kind, contentType }: DetailsContext): string[] {
  const expected = EXPECTED_DETAILS_TYPE[kind];
  if (details?.type !== expected) {
    // The other shape's fields mean nothing for this kind: checking them would only add noise.
    return [`details.type: must be ${expected} for a ${kind} application`];
  }
  return details.type === 'LISTING'
    ? validateListingDetails(details, contentType)
    : validateInfoChangeDetails(details, contentType);
}

export function validateListingDetails(details: ListingDetails, contentType: ContentType, path = 'details'): string[] {
  return [
    ...textProblems(`${path}.name`, details.name, { max: LIMITS.name, required: true }),
    ...textProblems(`${path}.description`, details.description, { max: LIMITS.description, required: false, multiline: true }),
    ...validateContact(details.contact, `${path}.contact`),
    ...validateAddress(details.address, `${path}.address`),
    ...validateBusinessHours(details.businessHours, `${path}.businessHours`),
    ...validateSpecific(details.specific, contentType, `${path}.specific`),
    ...(details.businessRegistration == null ? [] : businessRegistrationProblems(details.businessRegistration, `${path}.businessRegistration`)),
  ];
}

const CHANGE_FIELDS = ['contact', 'address', 'businessHours', ...SPECIFIC_CHANGE_FIELDS] as const;

export function validateInfoChangeDetails(details: InfoChangeDetails, contentType: ContentType, path = 'details'): string[] {
  if (CHANGE_FIELDS.every((field) => details[field] == null)) {
    // An empty change would be approved into a new listing version that changes nothing.
    return [`${path}: an INFO_CHANGE must set at least one of ${CHANGE_FIELDS.join(', ')}`];
  }
  return [
    ...(details.contact == null ? [] : validateContact(details.contact, `${path}.contact`)),
    ...(details.address == null ? [] : validateAddress(details.address, `${path}.address`)),
    ...(details.businessHours == null ? [] : validateBusinessHours(details.businessHours, `${path}.businessHours`)),
    ...specificChangeProblems(details, contentType, path),
  ];
}

export function validateContact(contact: Contact, path: string): string[] {
  if (contact == null) return [`${path}: required`];
  return [...phoneProblems(`${path}.phone`, contact.phone), ...emailProblems(`${path}.email`, contact.email)];
}

const POSTAL_CODE = /^[0-9]{5}$/;

export function validateAddress(address: Address, path: string): string[] {
  if (address == null) return [`${path}: required`];
  return [
    ...(POSTAL_CODE.test(address.postalCode) ? [] : [`${path}.postalCode: must be a 5-digit postal code such as 06236`]),
    ...textProblems(`${path}.road`, address.road, { max: LIMITS.road, required: true }),
    ...(address.detail === null ? [] : textProblems(`${path}.detail`, address.detail, { max: LIMITS.addressDetail, required: false })),
  ];
}

export function validateBusinessHours(days: DayHours[], path: string): string[] {
  if (!Array.isArray(days)) return [`${path}: must be a list of weekdays`];
  const problems: string[] = [];
  const seen = new Set<string>();
  days.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    if (!(WEEKDAYS as readonly string[]).includes(entry.day)) {
      problems.push(`${at}.day: must be one of ${WEEKDAYS.join(', ')}`);
    } else if (seen.has(entry.day)) {
      // Two entries for one day leave it ambiguous which hours the listing shows.
      problems.push(`${at}.day: ${entry.day} appears more than once`);
    }
    seen.add(entry.day);
    if (entry.hours !== null) problems.push(...openingHoursProblems(entry.hours, `${at}.hours`));
  });
  return problems;
}

export function validateSpecific(specific: ContentSpecific, contentType: ContentType, path: string): string[] {
  if (specific?.type !== contentType) {
    return [`${path}.type: must be ${contentType} for a ${contentType} application (got ${String(specific?.type)})`];
  }
  switch (specific.type) {
    case 'RESTAURANT':
      return [
        ...textProblems(`${path}.cuisine`, specific.cuisine, { max: LIMITS.cuisine, required: true }),
        ...integerProblems(`${path}.seatCapacity`, specific.seatCapacity, LIMITS.seatCapacity.min, LIMITS.seatCapacity.max),
        ...restaurantDataProblems(specific, path),
      ];
    case 'PERFORMANCE':
      return [
        ...textProblems(`${path}.venue`, specific.venue, { max: LIMITS.venue, required: true }),
        ...dateRangeProblems(specific.startDate, specific.endDate, path),
        ...integerProblems(`${path}.runtimeMinutes`, specific.runtimeMinutes, LIMITS.runtimeMinutes.min, LIMITS.runtimeMinutes.max),
        ...symbolProblems(`${path}.ageRating`, specific.ageRating, AGE_RATINGS, false),
        ...performanceDataProblems(specific, path, lastDayOf(specific)),
      ];
    case 'EXHIBITION':
      return [
        ...textProblems(`${path}.venue`, specific.venue, { max: LIMITS.venue, required: true }),
        ...dateRangeProblems(specific.startDate, specific.endDate, path),
        ...integerProblems(`${path}.ticketPriceKrw`, specific.ticketPriceKrw, LIMITS.ticketPriceKrw.min, LIMITS.ticketPriceKrw.max),
        ...exhibitionDataProblems(specific, path, lastDayOf(specific)),
      ];
  }
}

/** The run's last day, when its end date is a date at all (dateRangeProblems reports it otherwise). */
const lastDayOf = (specific: { endDate: string }) => (isCalendarDate(specific.endDate) ? specific.endDate : null);

function dateRangeProblems(startDate: string, endDate: string, path: string): string[] {
  const problems: string[] = [];
  const startOk = isCalendarDate(startDate);
  const endOk = isCalendarDate(endDate);
  if (!startOk) problems.push(`${path}.startDate: must be a calendar date YYYY-MM-DD`);
  if (!endOk) problems.push(`${path}.endDate: must be a calendar date YYYY-MM-DD`);
  // Valid YYYY-MM-DD strings order like the dates they name.
  if (startOk && endOk && endDate < startDate) {
    problems.push(`${path}.endDate: must not be before startDate (${startDate})`);
  }
  return problems;
}

export function validateApplicantId(applicantId: string, path = 'applicantId'): string[] {
  return textProblems(path, applicantId, { max: LIMITS.applicantId, required: true });
}

export interface Submission {
  applicantId: string;
  kind: ApplicationKind;
  listingId: string | null;
  contentType: ContentType;
  details: ApplicationDetails;
}

/** Everything a submission must satisfy on its own, before anything is looked up. */
export function validateSubmission(submission: Submission): string[] {
  const { kind, listingId } = submission;
  const listingProblems = kind === 'NEW_LISTING'
    ? (listingId === null ? [] : ['listingId: must be null for a NEW_LISTING application (the listing id is assigned on approval)'])
    : (listingId === null || listingId.trim() === '' ? ['listingId: required for an INFO_CHANGE application'] : []);
  return [
    ...validateApplicantId(submission.applicantId),
    ...listingProblems,
    ...validateDetails(submission.details, { kind, contentType: submission.contentType }),
  ];
}

export function validateNote(note: string | null): string[] {
  return note === null ? [] : textProblems('note', note, { max: LIMITS.note, required: false, multiline: true });
}

export type ReasonCheck = { ok: true; reason: string } | { ok: false; problem: string };

/** The reason is stored trimmed: surrounding whitespace is formatting, not content. */
export function checkRejectionReason(reason: string): ReasonCheck {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (trimmed === '') return { ok: false, problem: 'reason: a rejection needs a reason' };
  // The applicant reads it in a notification, like the note: the same text rules apply.
  const [problem] = textProblems('reason', trimmed, { max: LIMITS.reason, required: true, multiline: true });
  return problem ? { ok: false, problem } : { ok: true, reason: trimmed };
}

/** A reviewer note is stored trimmed, like a reason, and must say something. */
export function checkReviewerNote(text: string): ReasonCheck {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const [problem] = textProblems('text', trimmed, { max: LIMITS.reviewerNote, required: true, multiline: true });
  return problem ? { ok: false, problem } : { ok: true, reason: trimmed };
}
