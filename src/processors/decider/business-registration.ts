import { textProblems } from './formats.ts';
import type { BusinessRegistration } from '../../domain/types.ts';

/**
 * 사업자등록번호: 10 digits, written 123-45-67890 (office, kind of business, serial and check
 * digit). Accepted with or without those dashes, stored as the digits alone.
 */
const WRITTEN = /^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$/;

/** The National Tax Service weights of the first nine digits. */
const WEIGHTS = [1, 3, 7, 1, 3, 7, 1, 3, 5] as const;

export const REPRESENTATIVE_NAME_MAX = 50;

/** The digits of a number written as 10 digits with or without dashes, else null. */
export function registrationDigits(value: string): string | null {
  return typeof value === 'string' && WRITTEN.test(value) ? value.replaceAll('-', '') : null;
}

/**
 * The National Tax Service check: the weighted sum of the first nine digits, plus the tens of the
 * ninth digit times 5 (its weight's carry), leaves the tenth digit as its complement modulo 10.
 */
export function hasValidCheckDigit(digits: string): boolean {
  const d = [...digits].map(Number);
  const sum = WEIGHTS.reduce((total, weight, index) => total + d[index]! * weight, 0) + Math.floor((d[8]! * 5) / 10);
  return (10 - (sum % 10)) % 10 === d[9];
}

export function businessRegistrationProblems(registration: BusinessRegistration, path: string): string[] {
  const digits = registrationDigits(registration.number);
  const numberProblems = digits === null
    ? [`${path}.number: must be 10 digits, such as 123-45-67890 (dashes optional)`]
    : hasValidCheckDigit(digits) ? [] : [`${path}.number: is not a valid business registration number (its check digit does not match)`];
  return [
    ...numberProblems,
    ...textProblems(`${path}.representativeName`, registration.representativeName, { max: REPRESENTATIVE_NAME_MAX, required: true }),
  ];
}

/** The registration as stored: the number as its digits. Only called on a valid registration. */
export function normalizedRegistration(registration: BusinessRegistration): BusinessRegistration {
  return { ...registration, number: registrationDigits(registration.number) ?? registration.number };
}
