import {
  NO_SPECIFIC_CHANGE, decide, evolveListing, hasValidCheckDigit, registrationDigits, validateDetails,
} from '../../src/processors/decider/index.ts';
import type {
  Application, ApplicationDetails, Command, ContentType, DomainEvent, InfoChangeDetails, Listing, ListingDetails,
} from '../../src/processors/decider/index.ts';
import { businessRegistration, exhibitionDetails, performanceDetails, restaurantDetails } from '../fixtures/details.ts';

/**
 * Schema v2's rules in the pure decider: the business registration number (National Tax Service
 * check digit, stored as digits), and what the content services need per type.
 */

const T0 = 1_700_000_000_000;
const APP_ID = '5d3c7e52-5ff1-4c1e-9d0a-8f37c86ad001';
const LISTING_ID = '0b8c7a53-60d4-5b0c-8b1f-7f6f0b2c0a11';
const OWNER = 'owner-1';
const meta = { commandId: 'cmd-1', applicationId: APP_ID, issuedAt: T0 };

const NEW = (contentType: ContentType) => ({ kind: 'NEW_LISTING' as const, contentType });
const CHANGE = (contentType: ContentType) => ({ kind: 'INFO_CHANGE' as const, contentType });

function submit(contentType: ContentType, details: ApplicationDetails, listingId: string | null = null): Command {
  return { ...meta, type: 'SubmitApplication', applicantId: OWNER, kind: details.type === 'LISTING' ? 'NEW_LISTING' : 'INFO_CHANGE', listingId, contentType, details };
}

function listingOf(details: ListingDetails, contentType: ContentType): Listing {
  const { type: _, ...fields } = details;
  return { ...fields, id: LISTING_ID, ownerId: OWNER, contentType, sourceApplicationId: 'app-0', version: 1, createdAt: T0, updatedAt: T0 };
}

function pending(contentType: ContentType, details: ApplicationDetails): Application {
  return {
    id: APP_ID, applicantId: OWNER, kind: details.type === 'LISTING' ? 'NEW_LISTING' : 'INFO_CHANGE', listingId: details.type === 'LISTING' ? null : LISTING_ID,
    contentType, status: 'PENDING', details, version: 1, createdAt: T0, updatedAt: T0, decidedAt: null, decidedBy: null, rejectionReason: null, decisionNote: null, reviewClaim: null,
  };
}

const change = (overrides: Partial<InfoChangeDetails>): InfoChangeDetails =>
  ({ type: 'INFO_CHANGE', contact: null, address: null, businessHours: null, ...NO_SPECIFIC_CHANGE, ...overrides });

const only = (event: DomainEvent[]) => {
  expect(event).toHaveLength(1);
  return event[0]!;
};

describe('the business registration number', () => {
  test.each([
    ['2208162517', true], ['1248100998', true], ['1010000002', true],
    ['2208162518', false], ['1248100999', false], ['0000000001', false],
  ])('%s has a valid check digit: %s', (digits, valid) => {
    expect(hasValidCheckDigit(digits)).toBe(valid);
  });

  test('the ninth digit counts twice: its weight 5, and the tens of 5 times it', () => {
    // 123-45-67891: without the carry of 9×5 the check digit would be 5, with it 1.
    expect(hasValidCheckDigit('1234567891')).toBe(true);
    expect(hasValidCheckDigit('1234567895')).toBe(false);
  });

  test.each([
    ['220-81-62517', '2208162517'], ['2208162517', '2208162517'], ['22081-62517', '2208162517'],
    ['220 81 62517', null], ['220-81-6251', null], ['220-81-625170', null], ['２２０８１６２５１７', null], ['220--8162517', null],
  ])('%s is written as %s', (written, digits) => {
    expect(registrationDigits(written)).toBe(digits);
  });

  test('a bad number is VALIDATION_FAILED with the field path; a good one with dashes is stored as digits', () => {
    const bad = only(decide(null, submit('RESTAURANT', restaurantDetails({ businessRegistration: businessRegistration({ number: '220-81-62518' }) })), { listing: null, pendingChangeId: null, reviewClaimMs: 15 * 60_000 }));
    expect(bad).toMatchObject({ type: 'CommandRejected', code: 'VALIDATION_FAILED', message: expect.stringMatching(/^details\.businessRegistration\.number: is not a valid business registration number/) });

    const malformed = validateDetails(restaurantDetails({ businessRegistration: businessRegistration({ number: '22081625', representativeName: ' ' }) }), NEW('RESTAURANT'));
    expect(malformed).toEqual([
      'details.businessRegistration.number: must be 10 digits, such as 123-45-67890 (dashes optional)',
      'details.businessRegistration.representativeName: must not be blank',
    ]);

    const good = only(decide(null, submit('RESTAURANT', restaurantDetails({ businessRegistration: businessRegistration({ number: '220-81-62517' }) })), { listing: null, pendingChangeId: null, reviewClaimMs: 15 * 60_000 }));
    expect(good).toMatchObject({ type: 'ApplicationSubmitted', application: { details: { businessRegistration: { number: '2208162517', representativeName: '김영희' } } } });
  });

  test('an amendment is stored as digits too, and the approved listing carries the registration', () => {
    const state = pending('EXHIBITION', exhibitionDetails());
    const amended = only(decide(state, { ...meta, type: 'AmendApplication', applicantId: OWNER, details: exhibitionDetails({ businessRegistration: businessRegistration({ number: '124-81-00998' }) }) }, { listing: null, pendingChangeId: null, reviewClaimMs: 15 * 60_000 }));
    expect(amended).toMatchObject({ type: 'ApplicationAmended', details: { businessRegistration: { number: '1248100998' } } });
    const details = (amended as Extract<DomainEvent, { type: 'ApplicationAmended' }>).details;
    const approved = only(decide({ ...state, details }, { ...meta, type: 'ApproveApplication', admin: { ok: true, adminId: 'admin' }, note: null }, { listing: null, pendingChangeId: null, reviewClaimMs: 15 * 60_000 }));
    if (approved.type !== 'ApplicationApproved') throw new Error(`expected an approval, got ${approved.type}`);
    expect(evolveListing(null, approved, { applicationId: APP_ID, at: T0 }).businessRegistration).toEqual({ number: '1248100998', representativeName: '김영희' });
  });

  test('it stays optional: an application without one is valid', () => {
    expect(validateDetails(restaurantDetails(), NEW('RESTAURANT'))).toEqual([]);
  });
});

describe('per-type registration data', () => {
  test('a PUB admits adults only', () => {
    const pub = (ageRating: 'ALL' | 'AGE_19' | null) => validateDetails(restaurantDetails({ specific: { restaurantType: 'PUB', ageRating } }), NEW('RESTAURANT'));
    expect(pub('AGE_19')).toEqual([]);
    expect(pub('ALL')).toEqual(['details.specific.ageRating: must be AGE_19 for a PUB, which admits adults only']);
    expect(pub(null)).toEqual(['details.specific.ageRating: must be AGE_19 for a PUB, which admits adults only']);
    expect(validateDetails(restaurantDetails({ specific: { restaurantType: 'KOREAN', ageRating: 'ALL' } }), NEW('RESTAURANT'))).toEqual([]);
  });

  test('unknown symbols name the allowed ones', () => {
    const problems = validateDetails(restaurantDetails({ specific: { restaurantType: 'BISTRO' as never, ageRating: 'R18' as never } }), NEW('RESTAURANT'));
    expect(problems).toEqual([
      'details.specific.restaurantType: must be one of KOREAN, CHINESE, WESTERN, JAPANESE, PUB',
      'details.specific.ageRating: must be one of ALL, AGE_12, AGE_15, AGE_19',
    ]);
    expect(validateDetails(performanceDetails({ specific: { performanceType: 'OPERA' as never } }), NEW('PERFORMANCE')))
      .toEqual(['details.specific.performanceType: must be one of CONCERT, MUSICAL, PLAY']);
    expect(validateDetails(exhibitionDetails({ specific: { region: 'SEJONG' as never } }), NEW('EXHIBITION')))
      .toEqual([expect.stringMatching(/^details\.specific\.region: must be one of SEOUL, INCHEON, .*, JEJU$/)]);
  });

  test('ticket sales close after they open and before the run ends', () => {
    const window = (opensAt: string, closesAt: string) => validateDetails(
      performanceDetails({ specific: { endDate: '2025-05-31', ticketWindow: { opensAt, closesAt } } }), NEW('PERFORMANCE'));
    expect(window('2025-02-01T10:00', '2025-05-31T18:00')).toEqual([]);
    expect(window('2025-02-01T10:00', '2025-06-01T00:00')).toEqual(['details.specific.ticketWindow.closesAt: ticket sales must close before the run ends (2025-05-31)']);
    expect(window('2025-02-01T10:00', '2025-02-01T10:00')).toEqual(['details.specific.ticketWindow.closesAt: must be after opensAt (2025-02-01T10:00)']);
    expect(window('2025-02-30T10:00', '2025-03-01 10:00')).toEqual([
      'details.specific.ticketWindow.opensAt: must be a local date and time YYYY-MM-DDTHH:mm',
      'details.specific.ticketWindow.closesAt: must be a local date and time YYYY-MM-DDTHH:mm',
    ]);
  });

  test('an exhibition: region, artists, daily hours, ticket window and rating', () => {
    const valid = exhibitionDetails({ specific: {
      region: 'SEOUL', artists: ['James Turrell'], dailyHours: { opensAt: '10:00', closesAt: '18:00', overnight: false },
      ticketWindow: { opensAt: '2025-03-01T09:00', closesAt: '2025-08-31T17:00' }, ageRating: 'ALL',
    } });
    expect(validateDetails(valid, NEW('EXHIBITION'))).toEqual([]);
    const broken = exhibitionDetails({ specific: { artists: ['', 'x'.repeat(101)], dailyHours: { opensAt: '18:00', closesAt: '10:00', overnight: false } } });
    expect(validateDetails(broken, NEW('EXHIBITION'))).toEqual([
      'details.specific.artists[0]: must not be blank',
      'details.specific.artists[1]: must be at most 100 characters (got 101)',
      'details.specific.dailyHours.closesAt: must be after opensAt (18:00); set overnight to true for hours past midnight',
    ]);
  });

  test('a performance cast is a list of names', () => {
    expect(validateDetails(performanceDetails({ specific: { cast: ['임태경', '양준모'], performanceType: 'MUSICAL' } }), NEW('PERFORMANCE'))).toEqual([]);
    expect(validateDetails(performanceDetails({ specific: { cast: Array.from({ length: 101 }, (_, i) => `배우${i}`) } }), NEW('PERFORMANCE')))
      .toEqual(['details.specific.cast: must list at most 100 names (got 101)']);
  });
});

describe('INFO_CHANGE of per-type data', () => {
  const performance = listingOf(performanceDetails({ specific: { cast: ['정성화'], ticketWindow: { opensAt: '2025-02-01T10:00', closesAt: '2025-05-01T10:00' } } }), 'PERFORMANCE');

  test('a change of the cast alone is a change', () => {
    expect(validateDetails(change({ cast: ['안중근 역: 정성화', '설희 역: 린아'] }), CHANGE('PERFORMANCE'))).toEqual([]);
    expect(validateDetails(change({}), CHANGE('PERFORMANCE'))).toEqual([
      'details: an INFO_CHANGE must set at least one of contact, address, businessHours, cast, artists, region, dailyHours, ticketWindow',
    ]);
  });

  test('fields of another content type are refused', () => {
    expect(validateDetails(change({ cast: ['x'], region: 'BUSAN' }), CHANGE('RESTAURANT'))).toEqual([
      'details.cast: cannot be changed on a RESTAURANT listing',
      'details.region: cannot be changed on a RESTAURANT listing',
    ]);
    expect(validateDetails(change({ artists: ['x'] }), CHANGE('PERFORMANCE'))).toEqual(['details.artists: cannot be changed on a PERFORMANCE listing']);
  });

  test('a new ticket window must close before the listing\'s run ends', () => {
    const late = change({ ticketWindow: { opensAt: '2025-02-01T10:00', closesAt: '2025-06-02T10:00' } });
    const refused = only(decide(null, submit('PERFORMANCE', late, LISTING_ID), { listing: performance, pendingChangeId: null, reviewClaimMs: 15 * 60_000 }));
    expect(refused).toMatchObject({ type: 'CommandRejected', code: 'VALIDATION_FAILED', message: 'details.ticketWindow.closesAt: ticket sales must close before the run ends (2025-05-31)' });
    const amendedLate = only(decide(pending('PERFORMANCE', change({ cast: ['x'] })), { ...meta, type: 'AmendApplication', applicantId: OWNER, details: late }, { listing: performance, pendingChangeId: APP_ID, reviewClaimMs: 15 * 60_000 }));
    expect(amendedLate).toMatchObject({ type: 'CommandRejected', code: 'VALIDATION_FAILED' });
  });

  test('approved, it changes what it names on the listing and keeps the rest', () => {
    const proposed = change({ cast: ['안중근 역: 양준모'], ticketWindow: { opensAt: '2025-02-01T10:00', closesAt: '2025-05-30T20:00' } });
    const approved = only(decide(pending('PERFORMANCE', proposed), { ...meta, type: 'ApproveApplication', admin: { ok: true, adminId: 'admin' }, note: null }, { listing: performance, pendingChangeId: APP_ID, reviewClaimMs: 15 * 60_000 }));
    if (approved.type !== 'ApplicationApproved') throw new Error(`expected an approval, got ${approved.type}`);
    const next = evolveListing(performance, approved, { applicationId: APP_ID, at: T0 + 1 });
    expect(next.specific).toEqual({ ...performance.specific, cast: ['안중근 역: 양준모'], ticketWindow: proposed.ticketWindow });
    expect(next.contact).toEqual(performance.contact);

    const exhibition = listingOf(exhibitionDetails({ specific: { region: 'SEOUL', artists: ['a'] } }), 'EXHIBITION');
    const moved = change({ region: 'BUSAN', dailyHours: { opensAt: '09:00', closesAt: '20:00', overnight: false } });
    const approvedMove = only(decide(pending('EXHIBITION', moved), { ...meta, type: 'ApproveApplication', admin: { ok: true, adminId: 'admin' }, note: null }, { listing: exhibition, pendingChangeId: APP_ID, reviewClaimMs: 15 * 60_000 }));
    if (approvedMove.type !== 'ApplicationApproved') throw new Error(`expected an approval, got ${approvedMove.type}`);
    expect(evolveListing(exhibition, approvedMove, { applicationId: APP_ID, at: T0 + 1 }).specific)
      .toEqual({ ...exhibition.specific, region: 'BUSAN', dailyHours: moved.dailyHours });
  });
});
