import { z } from 'zod';
import {
  AGE_RATINGS, APPLICATION_KINDS, CONTENT_TYPES, PERFORMANCE_TYPES, REGIONS, RESTAURANT_TYPES, WEEKDAYS,
} from '../domain/values.ts';
import { uuidText as uuid } from './params.ts';

/**
 * The JSON bodies of the command gateway, checked for the shape the Avro command needs: types,
 * required fields, enum symbols. Content rules (lengths, formats, dates) are the decider's, run
 * on the parsed values by the routes so a caller hears every broken field in one answer.
 * Objects are strict: an unknown field is a typo the caller should hear about, not drop silently.
 *
 * The details schemas are also what the read API answers (src/http/views.ts), and the `id`s name
 * them in /openapi.json (src/http/openapi.ts), which is generated from these schemas.
 */

const text = z.string();
const whole = z.number().int();
const calendarDate = text.describe('YYYY-MM-DD');

export const contact = z.strictObject({ phone: text, email: text }).meta({ id: 'Contact', description: 'How guests reach the venue.' });
export const address = z.strictObject({
  postalCode: text.describe('Korean 5-digit postal code.'), road: text.describe('Road-name address.'),
  detail: text.nullable().default(null).describe('Building, floor, unit.'),
}).meta({ id: 'Address' });
const openingHours = z.strictObject({
  opensAt: text.describe('HH:mm, 24-hour clock.'), closesAt: text.describe('HH:mm, 24-hour clock.'),
  overnight: z.boolean().default(false).describe('true when closesAt is on the next day.'),
}).meta({ id: 'OpeningHours' });
const dayHours = z.strictObject({ day: z.enum(WEEKDAYS), hours: openingHours.nullable() })
  .meta({ id: 'DayHours', description: 'One weekday; hours null means closed that day.' });
export const businessHours = z.array(dayHours).max(7 * 4).meta({ id: 'BusinessHours' });

// Schema v2's fields are optional, as on the wire: null (or an empty list) when not given.
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);
const ticketWindow = z.strictObject({
  opensAt: text.describe('YYYY-MM-DDTHH:mm, Korean local time.'), closesAt: text.describe('YYYY-MM-DDTHH:mm, no later than the last day of the run.'),
}).meta({ id: 'TicketWindow', description: 'When tickets are on sale.' });
const names = z.array(text).max(1000).meta({ id: 'Names' });
const ageRating = z.enum(AGE_RATINGS);
const region = z.enum(REGIONS);
const businessRegistration = z.strictObject({
  number: text.describe('10 digits, with or without dashes (stored without).'), representativeName: text,
}).meta({ id: 'BusinessRegistration', description: '사업자등록.' });

export const contentSpecific = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('RESTAURANT'), cuisine: text, seatCapacity: whole, restaurantType: optional(z.enum(RESTAURANT_TYPES)),
    ageRating: optional(ageRating).describe('AGE_19 for a PUB.'),
  }),
  z.strictObject({
    type: z.literal('PERFORMANCE'), venue: text, startDate: calendarDate, endDate: calendarDate, runtimeMinutes: whole, ageRating,
    performanceType: optional(z.enum(PERFORMANCE_TYPES)), cast: names.default([]), ticketWindow: optional(ticketWindow),
  }),
  z.strictObject({
    type: z.literal('EXHIBITION'), venue: text, startDate: calendarDate, endDate: calendarDate, ticketPriceKrw: whole, region: optional(region),
    artists: names.default([]), dailyHours: optional(openingHours), ticketWindow: optional(ticketWindow), ageRating: optional(ageRating),
  }),
]).meta({ id: 'ContentSpecific', description: 'The content-type specific part of a listing.' });

export const listingBusinessRegistration = optional(businessRegistration);

const listingDetails = z.strictObject({
  type: z.literal('LISTING'), name: text, description: text.default(''), contact, address, businessHours, specific: contentSpecific,
  businessRegistration: listingBusinessRegistration,
}).meta({ id: 'ListingDetails', description: 'Everything a NEW_LISTING application proposes to publish.' });
const infoChangeDetails = z.strictObject({
  type: z.literal('INFO_CHANGE'), contact: optional(contact), address: optional(address), businessHours: optional(businessHours),
  cast: optional(names), artists: optional(names), region: optional(region), dailyHours: optional(openingHours), ticketWindow: optional(ticketWindow),
}).meta({ id: 'InfoChangeDetails', description: 'What an INFO_CHANGE application proposes to replace; null keeps the current value.' });
export const applicationDetails = z.discriminatedUnion('type', [listingDetails, infoChangeDetails]).meta({ id: 'ApplicationDetails' });

export const submitBody = z.strictObject({
  applicationId: uuid.optional().describe('Optional; a new id is chosen when absent.'),
  kind: z.enum(APPLICATION_KINDS),
  contentType: z.enum(CONTENT_TYPES),
  listingId: uuid.nullable().default(null),
  details: applicationDetails,
}).meta({
  id: 'SubmitRequest',
  description: 'The applicant is the OWNER token\'s subject. listingId: null for NEW_LISTING, the listing to change for INFO_CHANGE.',
});

export const amendBody = z.strictObject({ details: applicationDetails }).meta({ id: 'AmendRequest' });
export const withdrawBody = z.strictObject({}).meta({ id: 'WithdrawRequest' });
export const approveBody = z.strictObject({ note: text.nullable().default(null).describe('At most 1000 characters.') }).meta({ id: 'ApproveRequest' });
export const rejectBody = z.strictObject({ reason: text.describe('Trimmed, 1 to 1000 characters.') }).meta({ id: 'RejectRequest' });
export const reviewClaimBody = z.strictObject({
  takeOver: z.boolean().default(false).describe('End another admin\'s live claim (recorded as TAKE_OVER); without it such a claim is refused with ALREADY_CLAIMED.'),
}).meta({ id: 'ReviewClaimRequest' });
export const reviewReleaseBody = z.strictObject({}).meta({ id: 'ReviewReleaseRequest' });
export const reviewerNoteBody = z.strictObject({ text: text.describe('Trimmed, 1 to 2000 characters. Shown to MASTER admins only.') }).meta({ id: 'ReviewerNoteRequest' });

/** One broken field: `path` as the decider writes it (details.contact.phone, businessHours[2].day). */
export interface FieldProblem { path: string; message: string }

const pathOf = (path: PropertyKey[]) => path.reduce<string>((out, part) =>
  (typeof part === 'number' ? `${out}[${part}]` : out === '' ? String(part) : `${out}.${String(part)}`), '');

export function shapeProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: pathOf([...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys.join(', ')] : [])]) || 'body',
    message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message,
  }));
}

/** The decider's `<path>: <why>` strings as field problems. */
export const fieldProblems = (problems: string[]): FieldProblem[] => problems.map((problem) => {
  const at = problem.indexOf(': ');
  return at < 0 ? { path: 'body', message: problem } : { path: problem.slice(0, at), message: problem.slice(at + 2) };
});
