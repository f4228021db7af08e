import { z } from 'zod';
import {
  AGE_RATINGS, APPLICATION_KINDS, CONTENT_TYPES, PERFORMANCE_TYPES, REGIONS, RESTAURANT_TYPES, WEEKDAYS,
} from '../domain/values.ts';
import { UUID_PATTERN } from './params.ts';

/**
 * The JSON bodies of the command gateway, checked for the shape the Avro command needs: types,
 * required fields, enum symbols. Content rules (lengths, formats, dates) are the decider's, run
 * on the parsed values by the routes so a caller hears every broken field in one answer.
 * Objects are strict: an unknown field is a typo the caller should hear about, not drop silently.
 */

const text = z.string();
const whole = z.number().int();
const uuid = z.string().regex(UUID_PATTERN, 'must be a UUID').transform((value) => value.toLowerCase());

const contact = z.strictObject({ phone: text, email: text });
const address = z.strictObject({ postalCode: text, road: text, detail: text.nullable().default(null) });
const openingHours = z.strictObject({ opensAt: text, closesAt: text, overnight: z.boolean().default(false) });
const businessHours = z.array(z.strictObject({ day: z.enum(WEEKDAYS), hours: openingHours.nullable() })).max(7 * 4);

// Schema v2's fields are optional, as on the wire: null (or an empty list) when not given.
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);
const ticketWindow = z.strictObject({ opensAt: text, closesAt: text });
const names = z.array(text).max(1000);
const ageRating = z.enum(AGE_RATINGS);
const region = z.enum(REGIONS);

const specific = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('RESTAURANT'), cuisine: text, seatCapacity: whole, restaurantType: optional(z.enum(RESTAURANT_TYPES)), ageRating: optional(ageRating),
  }),
  z.strictObject({
    type: z.literal('PERFORMANCE'), venue: text, startDate: text, endDate: text, runtimeMinutes: whole, ageRating,
    performanceType: optional(z.enum(PERFORMANCE_TYPES)), cast: names.default([]), ticketWindow: optional(ticketWindow),
  }),
  z.strictObject({
    type: z.literal('EXHIBITION'), venue: text, startDate: text, endDate: text, ticketPriceKrw: whole, region: optional(region),
    artists: names.default([]), dailyHours: optional(openingHours), ticketWindow: optional(ticketWindow), ageRating: optional(ageRating),
  }),
]);

const listingDetails = z.strictObject({
  type: z.literal('LISTING'), name: text, description: text.default(''), contact, address, businessHours, specific,
  businessRegistration: optional(z.strictObject({ number: text, representativeName: text })),
});
const infoChangeDetails = z.strictObject({
  type: z.literal('INFO_CHANGE'), contact: optional(contact), address: optional(address), businessHours: optional(businessHours),
  cast: optional(names), artists: optional(names), region: optional(region), dailyHours: optional(openingHours), ticketWindow: optional(ticketWindow),
});
const details = z.discriminatedUnion('type', [listingDetails, infoChangeDetails]);

export const submitBody = z.strictObject({
  applicationId: uuid.optional(),
  kind: z.enum(APPLICATION_KINDS),
  contentType: z.enum(CONTENT_TYPES),
  listingId: uuid.nullable().default(null),
  details,
});

export const amendBody = z.strictObject({ details });
export const withdrawBody = z.strictObject({});
export const approveBody = z.strictObject({ note: text.nullable().default(null) });
export const rejectBody = z.strictObject({ reason: text });

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
