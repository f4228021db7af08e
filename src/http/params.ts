import { z } from 'zod';
import { UUID_PATTERN, UUID_RULE } from '../domain/ids.ts';
import { ADMIN_ACTIONS, APPLICATION_KINDS, APPLICATION_STATUSES, CONTENT_TYPES } from '../domain/values.ts';
import type { TimeKey } from '../store/read/keyset.ts';
import { decodeIdCursor, decodeTimeCursor } from './cursor.ts';
import { badRequest } from './problem.ts';

/**
 * Query and path parameter validation. Every parameter is a single string: a repeated
 * parameter (?status=a&status=b) arrives as an array and is refused, never half-used. Text
 * that PostgreSQL would refuse (a NUL byte, a malformed UUID) is stopped here, so bad input
 * is a 400 and never a database error. A route's parameters are one z.object, which both
 * parses the request and, in /openapi.json, documents it (src/http/openapi.ts).
 */

const ONCE = 'must be given at most once';
const single = z.string({ error: (issue) => (Array.isArray(issue.input) ? ONCE : 'must be a string') });

/** Free text identifiers such as owner and admin ids: bounded, printable, no NUL. */
export const identifier = single
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');

const lowerCase = (value: string) => value.toLowerCase();

/** An id as a parameter, in the one rule of src/domain/ids.ts, answered lower case. */
export const uuid = single.regex(UUID_PATTERN, UUID_RULE).meta({ format: 'uuid' }).transform(lowerCase);

/** The same rule for an id in JSON: as answered, and as a body gives it (answered lower case). */
export const uuidString = z.string().regex(UUID_PATTERN, UUID_RULE).meta({ format: 'uuid' });
export const uuidText = uuidString.transform(lowerCase);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => (Array.isArray(issue.input) ? ONCE : `must be one of ${values.join(', ')}`) });

export const applicationStatus = oneOf(APPLICATION_STATUSES);
export const contentType = oneOf(CONTENT_TYPES);
export const applicationKind = oneOf(APPLICATION_KINDS);
export const adminAction = oneOf(ADMIN_ACTIONS);

const PAGE_SIZE = 'must be an integer from 1 to 100';
export const limit = single
  .regex(/^\d{1,3}$/, PAGE_SIZE)
  .transform(Number)
  .pipe(z.number().int().min(1, PAGE_SIZE).max(100, PAGE_SIZE))
  .default(20)
  .describe('Page size.');

/** A cursor parameter: `decode` answers null for text this API did not issue. */
const cursorOf = <K>(decode: (text: string) => K | null) => single
  .transform((value, context): K => {
    const key = decode(value);
    if (key === null) {
      context.addIssue({ code: 'custom', message: 'is not a valid cursor' });
      return z.NEVER;
    }
    return key;
  })
  .optional()
  .transform((value) => value ?? null)
  .describe('nextCursor of the previous page.');

export const timeCursor = cursorOf<TimeKey>(decodeTimeCursor);
export const idCursor = cursorOf<string>(decodeIdCursor);

/** An ISO 8601 instant with an explicit offset (Z or ±hh:mm), normalised to UTC. */
export const instant = single
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/, 'must be an ISO 8601 date-time with offset, e.g. 2025-01-31T09:00:00Z')
  .refine((value) => {
    const date = new Date(value);
    return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999;
  }, 'is not a valid date-time')
  .meta({ format: 'date-time' })
  .transform((value) => new Date(value).toISOString());

/** Search text: trimmed, 1 to 100 characters, no control characters (U+001F separates the searched fields). */
export const searchText = single
  .transform((value) => value.trim())
  .pipe(z.string()
    .min(1, 'must not be blank')
    .max(100, 'must be at most 100 characters')
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters'));

/** A business registration number (사업자등록번호): 10 digits, or 3-2-5 with dashes; answered as the 10 digits. */
export const registrationNumber = single
  .regex(/^(\d{10}|\d{3}-\d{2}-\d{5})$/, 'must be 10 digits, with or without dashes (123-45-67890)')
  .transform((value) => value.replaceAll('-', ''));

/** A 400 when the inclusive lower bound `from` of a time range lies after its upper bound `to`. */
export function assertOrdered<F extends string, T extends string>(range: { [name in F | T]?: string | undefined }, from: F, to: T): void {
  const [lower, upper] = [range[from], range[to]];
  if (lower !== undefined && upper !== undefined && lower > upper) throw badRequest(`query parameter '${from}' must not be after '${to}'.`);
}

/** The application a route is about, in its path. */
export const applicationPath = z.object({ id: uuid.describe('Application id.') });

/** Parses `input` (req.query or req.params) or throws a 400 problem naming every bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'path' | 'header'): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || where;
    return `${where} parameter '${name}' ${issue.message}`;
  });
  throw badRequest(`${[...new Set(details)].join('; ')}.`);
}
