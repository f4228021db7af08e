import type { OpeningHours } from '../../domain/types.ts';

/**
 * Field-level checks shared by the validation rules. Each returns the problems it finds as
 * `<path>: <why>` strings so a caller can report every broken field at once instead of making
 * the applicant fix them one round trip at a time.
 */

/**
 * Lengths are counted in code points: a Korean syllable or an emoji is one character to the
 * person typing it, whereas String#length would count surrogate pairs twice.
 */
export function codePointLength(value: string): number {
  return [...value].length;
}

// Control characters (C0, DEL, C1) corrupt logs, CSV exports and the UIs that render names.
const ANY_CONTROL = /\p{Cc}/u;
// Free text such as a description may keep line breaks and tabs, nothing else.
const CONTROL_EXCEPT_NEWLINE_TAB = /[^\P{Cc}\n\t]/u;

export interface TextRule {
  /** Maximum length in code points. */
  max: number;
  /** When true the trimmed value must be non-empty. */
  required: boolean;
  /** When true \n and \t are allowed (multi-line free text). */
  multiline?: boolean;
}

export function textProblems(path: string, value: string, rule: TextRule): string[] {
  if (typeof value !== 'string') return [`${path}: must be a string`];
  const problems: string[] = [];
  // Lone surrogates cannot be encoded as UTF-8 for Avro, PostgreSQL or JSON consumers.
  if (!value.isWellFormed()) problems.push(`${path}: must be well-formed Unicode text`);
  const control = rule.multiline ? CONTROL_EXCEPT_NEWLINE_TAB : ANY_CONTROL;
  if (control.test(value)) {
    problems.push(rule.multiline
      ? `${path}: must not contain control characters other than line breaks (\\n) and tabs`
      : `${path}: must not contain control characters`);
  }
  if (rule.required && value.trim() === '') problems.push(`${path}: must not be blank`);
  const length = codePointLength(value);
  if (length > rule.max) problems.push(`${path}: must be at most ${rule.max} characters (got ${length})`);
  return problems;
}

export function integerProblems(path: string, value: number, min: number, max: number): string[] {
  if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: must be a whole number`];
  if (value < min || value > max) return [`${path}: must be between ${min} and ${max} (got ${value})`];
  return [];
}

/**
 * Korean numbers (02-123-4567, 010-1234-5678, 0212345678) and international ones
 * (+82-2-123-4567, +1 212 555 0100): ASCII digits in groups separated by single hyphens or
 * spaces, optionally led by one '+'. No parentheses, dots or extensions.
 */
const PHONE_SHAPE = /^\+?[0-9]+(?:[- ][0-9]+)*$/;
/** 9 digits is the shortest Korean landline (02-123-4567); 15 is the E.164 maximum. */
export const PHONE_DIGITS = { min: 9, max: 15 } as const;
const PHONE_HINT = 'must be a phone number such as 02-123-4567 or +82-2-123-4567';

export function phoneProblems(path: string, value: string): string[] {
  if (typeof value !== 'string' || !PHONE_SHAPE.test(value)) return [`${path}: ${PHONE_HINT}`];
  const digits = value.replace(/[^0-9]/g, '').length;
  if (digits < PHONE_DIGITS.min || digits > PHONE_DIGITS.max) {
    return [`${path}: ${PHONE_HINT} (${PHONE_DIGITS.min} to ${PHONE_DIGITS.max} digits, got ${digits})`];
  }
  return [];
}

/** RFC 5321 limits: 254 for the whole path, 64 for the local part. */
export const EMAIL_MAX = 254;
const EMAIL_LOCAL_MAX = 64;
// Dot-atom local part (no quoted strings: nobody registers a venue with one).
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// At least two DNS labels, letters-only or punycode top-level domain. Internationalised domains
// must arrive in their ASCII (xn--) form, which is what mail servers route on.
const EMAIL_DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

export function emailProblems(path: string, value: string): string[] {
  if (typeof value !== 'string') return [`${path}: must be a string`];
  if (value.length > EMAIL_MAX) return [`${path}: must be at most ${EMAIL_MAX} characters (got ${value.length})`];
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (at < 1 || local.length > EMAIL_LOCAL_MAX || !EMAIL_LOCAL.test(local) || !EMAIL_DOMAIN.test(domain)) {
    return [`${path}: must be an email address such as owner@example.com`];
  }
  return [];
}

const CLOCK = /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * Minutes since midnight of an HH:mm reading, or null when it is not one. 24:00 ("until
 * midnight") is only meaningful as a closing time, so the caller opts in to it.
 */
export function minutesOfDay(value: string, allowEndOfDay: boolean): number | null {
  if (typeof value !== 'string') return null;
  if (allowEndOfDay && value === '24:00') return 24 * 60;
  if (!CLOCK.test(value)) return null;
  return Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5));
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A real proleptic-Gregorian date in YYYY-MM-DD form (2024-02-29 yes, 2023-02-29 no). Checked
 * by arithmetic rather than Date parsing, which silently rolls 02-30 over to March.
 */
export function isCalendarDate(value: string): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const DATE_TIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2})$/;

/** A local date and time YYYY-MM-DDTHH:mm (a real date, a clock time 00:00 to 23:59). */
export function isLocalDateTime(value: string): boolean {
  if (typeof value !== 'string') return false;
  const match = DATE_TIME.exec(value);
  return match !== null && isCalendarDate(match[1]!) && minutesOfDay(match[2]!, false) !== null;
}

/** `<path>: must be one of …` unless `value` is one of `symbols` (or null, when allowed). */
export function symbolProblems(path: string, value: unknown, symbols: readonly string[], nullable: boolean): string[] {
  if (value == null && nullable) return [];
  return typeof value === 'string' && symbols.includes(value) ? [] : [`${path}: must be one of ${symbols.join(', ')}`];
}

/** One day's hours: real clock times, closing after opening unless `overnight` says it is the next day. */
export function openingHoursProblems(hours: OpeningHours, path: string): string[] {
  const opens = minutesOfDay(hours.opensAt, false);
  const closes = minutesOfDay(hours.closesAt, true);
  const problems: string[] = [];
  if (opens === null) problems.push(`${path}.opensAt: must be a time HH:mm between 00:00 and 23:59`);
  if (closes === null) problems.push(`${path}.closesAt: must be a time HH:mm between 00:00 and 24:00`);
  if (opens === null || closes === null) return problems;
  // Hours past midnight are declared with the flag rather than guessed from closesAt <= opensAt,
  // so a typo such as 09:00-08:00 is caught instead of becoming a 23-hour day.
  if (hours.overnight === true) {
    if (closes > opens) {
      problems.push(`${path}.closesAt: must not be after opensAt when overnight is true (${hours.opensAt}-${hours.closesAt} ends the same day)`);
    }
  } else if (closes <= opens) {
    problems.push(`${path}.closesAt: must be after opensAt (${hours.opensAt}); set overnight to true for hours past midnight`);
  }
  return problems;
}
