import {
  LISTING_ID_NAMESPACE, checkRejectionReason, decider, evolveListing, isCalendarDate, pendingChangeAfter, uuidV5,
  validateAddress, validateBusinessHours, validateContact, validateDetails, validateSpecific,
} from '../../src/processors/decider/index.ts';
import type { Application, ApprovedEvent, DomainEvent } from '../../src/processors/decider/index.ts';
import { emailProblems, integerProblems, minutesOfDay, phoneProblems, textProblems } from '../../src/processors/decider/formats.ts';
import { infoChangeContact } from '../fixtures/details.ts';

/**
 * Checks written for the mutants StrykerJS found alive (docs/reliability.md, "Mutation
 * testing"). The wire is not typed: a value of the wrong type or a missing object must give a
 * problem, not a TypeError, so several cases pass values the signatures rule out.
 */
const untyped = <T>(value: unknown) => value as T;

test('only an approval changes a listing', () => {
  expect(decider.listingChangedBy(untyped<DomainEvent>({ type: 'ApplicationApproved' }))).toBe(true);
  expect(decider.listingChangedBy(untyped<DomainEvent>({ type: 'ApplicationRejected' }))).toBe(false);
  expect(decider.initialState).toBeNull();
});

test('a value of the wrong type is a problem, whatever String() would make of it', () => {
  expect(textProblems('p', untyped(42), { max: 10, required: true })).toEqual(['p: must be a string']);
  expect(integerProblems('p', 1.5, 0, 10)).toEqual(['p: must be a whole number']);
  expect(integerProblems('p', untyped('3'), 0, 10)).toEqual(['p: must be a whole number']);
  expect(phoneProblems('p', untyped(212345678))).toEqual(['p: must be a phone number such as 02-123-4567 or +82-2-123-4567']);
  expect(emailProblems('p', untyped(42))).toEqual(['p: must be a string']);
  // An array stringifies to its one element: the regex alone would take it.
  expect(minutesOfDay(untyped(['10:30']), false)).toBeNull();
  expect(isCalendarDate(untyped(['2024-02-29']))).toBe(false);
});

test('an email domain ends with its top-level label', () => {
  expect(emailProblems('p', 'owner@example.com')).toEqual([]);
  expect(emailProblems('p', 'owner@example.com-')).toEqual(['p: must be an email address such as owner@example.com']);
});

test('a clock reading is minutes since midnight', () => {
  expect(minutesOfDay('10:30', false)).toBe(630);
  expect(minutesOfDay('24:00', true)).toBe(1440);
  expect(minutesOfDay('24:00', false)).toBeNull();
});

test('a missing contact, address or hours list is named, not a TypeError', () => {
  expect(validateContact(untyped(null), 'c')).toEqual(['c: required']);
  expect(validateAddress(untyped(undefined), 'a')).toEqual(['a: required']);
  expect(validateBusinessHours(untyped('daily'), 'h')).toEqual(['h: must be a list of weekdays']);
  expect(validateSpecific(untyped(null), 'RESTAURANT', 's')).toEqual(['s.type: must be RESTAURANT for a RESTAURANT application (got undefined)']);
  expect(validateDetails(untyped(null), { kind: 'NEW_LISTING', contentType: 'RESTAURANT' })).toEqual([expect.stringMatching(/^details/)]);
});

test('a refused enum lists the allowed values', () => {
  expect(validateBusinessHours(untyped([{ day: 'FUNDAY', hours: null }]), 'h'))
    .toContainEqual(expect.stringContaining('.day: must be one of MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY'));
  const specific = { type: 'PERFORMANCE', venue: 'v', startDate: '2025-03-01', endDate: '2025-05-31', runtimeMinutes: 160, ageRating: 'AGE_99' };
  expect(validateSpecific(untyped(specific), 'PERFORMANCE', 's')).toEqual(['s.ageRating: must be one of ALL, AGE_12, AGE_15, AGE_19']);
});

test('a rejection reason: absent or blank is one problem, lines are kept', () => {
  const needed = { ok: false, problem: 'reason: a rejection needs a reason' };
  expect(checkRejectionReason(untyped(42))).toEqual(needed);
  expect(checkRejectionReason('  \n ')).toEqual(needed);
  expect(checkRejectionReason(' line one\nline two ')).toEqual({ ok: true, reason: 'line one\nline two' });
});

test('evolveListing refuses details its kind cannot carry', () => {
  const approved = (kind: 'NEW_LISTING' | 'INFO_CHANGE', detailsType: string) => untyped<ApprovedEvent>({
    type: 'ApplicationApproved', listingId: 'l-1', application: { kind, applicantId: 'o', contentType: 'RESTAURANT', details: { type: detailsType } },
  });
  expect(() => evolveListing(null, approved('NEW_LISTING', 'INFO_CHANGE'), { applicationId: 'a-1', at: 0 })).toThrow('NEW_LISTING a-1 carries INFO_CHANGE details');
  expect(() => evolveListing(untyped({ id: 'l-1' }), approved('INFO_CHANGE', 'LISTING'), { applicationId: 'a-2', at: 0 })).toThrow('INFO_CHANGE a-2 carries LISTING details');
});

test('the one-pending-change rule moves only for an INFO_CHANGE that names a listing', () => {
  const app = (overrides: Partial<Application>) => untyped<Application>({ id: 'a-1', kind: 'INFO_CHANGE', listingId: 'l-1', status: 'PENDING', details: infoChangeContact(), ...overrides });
  expect(pendingChangeAfter('held', null, app({ kind: 'NEW_LISTING', listingId: null }))).toBe('held');
  expect(pendingChangeAfter('held', null, app({ listingId: null }))).toBe('held');
  expect(pendingChangeAfter(null, null, app({}))).toBe('a-1');
  // The holder leaves PENDING only from PENDING; without a before there is nothing to free.
  expect(pendingChangeAfter('a-1', null, app({ status: 'WITHDRAWN' }))).toBe('a-1');
  expect(pendingChangeAfter('a-1', app({ status: 'APPROVED' }), app({ status: 'REJECTED' }))).toBe('a-1');
  expect(pendingChangeAfter('a-1', app({}), app({ status: 'APPROVED' }))).toBeNull();
});

test('a namespace must be a whole UUID', () => {
  expect(() => uuidV5('n', `x${LISTING_ID_NAMESPACE}`)).toThrow('is not a UUID');
  expect(() => uuidV5('n', `${LISTING_ID_NAMESPACE}f`)).toThrow('is not a UUID');
});
