import { z } from 'zod';
import { UUID_PATTERN, UUID_RULE } from '../domain/ids.ts';
import { APPLICATION_KINDS, CONTENT_TYPES } from '../domain/values.ts';
import type { TimeKey } from '../store/read/keyset.ts';
import { decodeIdCursor, decodeTimeCursor } from './cursor.ts';
import { badRequest } from './problem.ts';

/**
 * Query and path parameter validation. Every parameter is a single string: a repeated
 * parameter (?status=a&status=b) arrives as an array and is refused, never half-used. Text
 * that PostgreSQL would refuse (a NUL byte, a malformed UUID) is stopped here, so bad input
 * is a 400 and never a database error.
 */

const single = z.string({ error: (issue) => (Array.isArray(issue.input) ? 'must be given at most once' : 'must be a string') });

/** Free text identifiers such as owner and admin ids: bounded, printable, no NUL. */
export const identifier = single
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');

export const uuid = single.regex(UUID_PATTERN, UUID_RULE).transform((value) => value.toLowerCase());

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  single.refine((value): value is T[number] => (values as readonly string[]).includes(value), `must be one of ${values.join(', ')}`)
    .transform((value) => value as T[number]);

export const applicationStatus = oneOf(['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN'] as const);
export const contentType = oneOf(CONTENT_TYPES);
export const applicationKind = oneOf(APPLICATION_KINDS);
export const adminAction = oneOf(['APPROVE', 'REJECT', 'DENIED'] as const);

export const limit = single
  .regex(/^\d{1,3}$/, 'must be an integer from 1 to 100')
  .transform(Number)
  .refine((value) => value >= 1 && value <= 100, 'must be an integer from 1 to 100')
  .optional()
  .transform((value) => value ?? 20);

export const timeCursor = single
  .transform((value, context): TimeKey => {
    const key = decodeTimeCursor(value);
    if (key === null) {
      context.addIssue({ code: 'custom', message: 'is not a valid cursor' });
      return z.NEVER;
    }
    return key;
  })
  .optional()
  .transform((value) => value ?? null);

export const idCursor = single
  .transform((value, context): string => {
    const id = decodeIdCursor(value);
    if (id === null) {
      context.addIssue({ code: 'custom', message: 'is not a valid cursor' });
      return z.NEVER;
    }
    return id;
  })
  .optional()
  .transform((value) => value ?? null);

/** An ISO 8601 instant with an explicit offset (Z or ±hh:mm), normalised to UTC. */
export const instant = single
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/, 'must be an ISO 8601 date-time with offset, e.g. 2025-01-31T09:00:00Z')
  .refine((value) => {
    const date = new Date(value);
    return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999;
  }, 'is not a valid date-time')
  .transform((value) => new Date(value).toISOString());

/** Parses `input` (req.query or req.params) or throws a 400 problem naming every bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown, where: 'query' | 'path'): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || where;
    return `${where} parameter '${name}' ${issue.message}`;
  });
  throw badRequest(`${[...new Set(details)].join('; ')}.`);
}
