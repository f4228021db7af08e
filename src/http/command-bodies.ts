import { z } from 'zod';
import { AGE_RATINGS, APPLICATION_KINDS, CONTENT_TYPES, WEEKDAYS } from '../domain/values.ts';
import { UUID_PATTERN, UUID_RULE } from '../domain/ids.ts';

/**
 * The JSON bodies of the command gateway, checked for the shape the Avro command needs: types,
 * required fields, enum symbols. Content rules (lengths, formats, dates) are the decider's, run
 * on the parsed values by the routes so a caller hears every broken field in one answer.
 * Objects are strict: an unknown field is a typo the caller should hear about, not drop silently.
 */

const text = z.string();
const whole = z.number().int();
const uuid = z.string().regex(UUID_PATTERN, UUID_RULE).transform((value) => value.toLowerCase());

const contact = z.strictObject({ phone: text, email: text });
const address = z.strictObject({ postalCode: text, road: text, detail: text.nullable().default(null) });
const openingHours = z.strictObject({ opensAt: text, closesAt: text, overnight: z.boolean().default(false) });
const businessHours = z.array(z.strictObject({ day: z.enum(WEEKDAYS), hours: openingHours.nullable() })).max(7 * 4);

const specific = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('RESTAURANT'), cuisine: text, seatCapacity: whole }),
  z.strictObject({ type: z.literal('PERFORMANCE'), venue: text, startDate: text, endDate: text, runtimeMinutes: whole, ageRating: z.enum(AGE_RATINGS) }),
  z.strictObject({ type: z.literal('EXHIBITION'), venue: text, startDate: text, endDate: text, ticketPriceKrw: whole }),
]);

const listingDetails = z.strictObject({
  type: z.literal('LISTING'), name: text, description: text.default(''), contact, address, businessHours, specific,
});
const infoChangeDetails = z.strictObject({
  type: z.literal('INFO_CHANGE'), contact: contact.nullable().default(null), address: address.nullable().default(null),
  businessHours: businessHours.nullable().default(null),
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
