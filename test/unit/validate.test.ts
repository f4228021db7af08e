import { AgeRatingSymbols } from '../../src/schemas/avro-types.ts';
import {
  NO_SPECIFIC_CHANGE, checkRejectionReason, codePointLength, isCalendarDate, validateApplicantId, validateDetails, validateNote,
  validateSubmission,
} from '../../src/processors/decider/index.ts';
import type {
  ApplicationDetails, ApplicationKind, ContentType, DayHours, InfoChangeDetails, ListingDetails,
} from '../../src/processors/decider/index.ts';
import {
  address, contact, exhibitionDetails, infoChangeContact, infoChangeHours, performanceDetails, restaurantDetails,
  weekHours,
} from '../fixtures/details.ts';

const RESTAURANT = { kind: 'NEW_LISTING', contentType: 'RESTAURANT' } as const;
const PERFORMANCE = { kind: 'NEW_LISTING', contentType: 'PERFORMANCE' } as const;
const EXHIBITION = { kind: 'NEW_LISTING', contentType: 'EXHIBITION' } as const;
const INFO_CHANGE = { kind: 'INFO_CHANGE', contentType: 'RESTAURANT' } as const;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Exactly one problem, reported at the given field path. */
function expectOnlyProblemAt(problems: string[], path: string): void {
  expect(problems).toEqual([expect.stringMatching(new RegExp(`^${escape(path)}: .+`))]);
}

const korean = (n: number): string => '가'.repeat(n);
const emoji = (n: number): string => '🍜'.repeat(n);

describe('fixtures', () => {
  test.each([
    ['restaurant', restaurantDetails(), RESTAURANT],
    ['performance', performanceDetails(), PERFORMANCE],
    ['exhibition', exhibitionDetails(), EXHIBITION],
    ['info change hours', infoChangeHours(), INFO_CHANGE],
    ['info change contact', infoChangeContact(), INFO_CHANGE],
  ] as const)('%s details are valid', (_label, details, context) => {
    expect(validateDetails(details, context)).toEqual([]);
  });

  test('every call returns fresh objects', () => {
    const a = restaurantDetails();
    a.contact.phone = 'changed';
    expect(restaurantDetails().contact.phone).toBe('02-123-4567');
  });
});

describe('text length counts code points', () => {
  test('Korean syllables and emoji are one character each', () => {
    expect(codePointLength('가나다')).toBe(3);
    expect(codePointLength('🍜🍜')).toBe(2);
    expect('🍜🍜'.length).toBe(4);
  });
});

describe('details.name', () => {
  test.each([
    ['one character', 'a'],
    ['Korean', '을지로 골뱅이집'],
    ['100 Korean characters', korean(100)],
    ['100 emoji (200 UTF-16 units)', emoji(100)],
    ['mixed scripts and punctuation', 'Café 서울 & Co. (본점)'],
  ])('accepts %s', (_label, name) => {
    expect(validateDetails(restaurantDetails({ name }), RESTAURANT)).toEqual([]);
  });

  test.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['only an ideographic space', '\u3000'],
    ['101 characters', 'a'.repeat(101)],
    ['101 Korean characters', korean(101)],
    ['a NUL', 'a\u0000b'],
    ['a line break', 'first\nsecond'],
    ['a tab', 'a\tb'],
    ['a carriage return', 'a\rb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control (NEL)', 'a\u0085b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('rejects %s', (_label, name) => {
    expectOnlyProblemAt(validateDetails(restaurantDetails({ name }), RESTAURANT), 'details.name');
  });

  test('the message says why', () => {
    expect(validateDetails(restaurantDetails({ name: korean(101) }), RESTAURANT))
      .toEqual(['details.name: must be at most 100 characters (got 101)']);
    expect(validateDetails(restaurantDetails({ name: ' ' }), RESTAURANT)).toEqual(['details.name: must not be blank']);
    expect(validateDetails(restaurantDetails({ name: 'a\u0001' }), RESTAURANT))
      .toEqual(['details.name: must not contain control characters']);
  });
});

describe('details.description', () => {
  test.each([
    ['empty', ''],
    ['2000 Korean characters', korean(2000)],
    ['line breaks and tabs', '첫 줄\n둘째 줄\t탭'],
  ])('accepts %s', (_label, description) => {
    expect(validateDetails(restaurantDetails({ description }), RESTAURANT)).toEqual([]);
  });

  test.each([
    ['2001 characters', 'a'.repeat(2001)],
    ['a carriage return', 'a\r\nb'],
    ['a bell', 'a\u0007b'],
    ['NUL', '\u0000'],
  ])('rejects %s', (_label, description) => {
    expectOnlyProblemAt(validateDetails(restaurantDetails({ description }), RESTAURANT), 'details.description');
  });
});

describe('details.contact.phone', () => {
  test.each([
    '02-123-4567',
    '02-1234-5678',
    '010-1234-5678',
    '01012345678',
    '010 1234 5678',
    '+82-2-123-4567',
    '+82 10 1234 5678',
    '+821012345678',
    '+1 212 555 0100',
    '123456789',
    '123456789012345',
    '+123456789012345',
  ])('accepts %s', (phone) => {
    expect(validateDetails(restaurantDetails({ contact: { phone } }), RESTAURANT)).toEqual([]);
  });

  test.each([
    ['8 digits', '1234-5678'],
    ['16 digits', '1234567890123456'],
    ['16 digits with +', '+82-10-1234-5678-9999'],
    ['a double hyphen', '02--123-4567'],
    ['a leading hyphen', '-02-123-4567'],
    ['a trailing hyphen', '02-123-4567-'],
    ['a hyphen and a space together', '02 -123-4567'],
    ['parentheses', '(02) 123-4567'],
    ['dots', '02.123.4567'],
    ['a + in the middle', '82+2-123-4567'],
    ['two pluses', '++82-2-123-4567'],
    ['a + then a separator', '+ 82-2-123-4567'],
    ['an extension', '02-123-4567 ext 1'],
    ['full-width digits', '０２-１２３-４５６７'],
    ['letters', '02-CALL-NOW'],
    ['empty', ''],
  ])('rejects %s', (_label, phone) => {
    expectOnlyProblemAt(validateDetails(restaurantDetails({ contact: { phone } }), RESTAURANT), 'details.contact.phone');
  });

  test('the message gives examples', () => {
    expect(validateDetails(restaurantDetails({ contact: { phone: 'call me' } }), RESTAURANT))
      .toEqual(['details.contact.phone: must be a phone number such as 02-123-4567 or +82-2-123-4567']);
  });
});

describe('details.contact.email', () => {
  const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
  test('the longest fixture is 254 characters', () => expect(longest).toHaveLength(254));

  test.each([
    'owner@example.com',
    'first.last+tag@sub.example.co.kr',
    "o'brien_1@example.org",
    'a@b.co',
    'x@xn--3e0b707e.xn--3e0b707e',
    'Owner@Example.COM',
    longest,
  ])('accepts %s', (email) => {
    expect(validateDetails(restaurantDetails({ contact: { email } }), RESTAURANT)).toEqual([]);
  });

  test.each([
    ['empty', ''],
    ['no @', 'owner.example.com'],
    ['no local part', '@example.com'],
    ['no domain', 'owner@'],
    ['a single-label domain', 'owner@localhost'],
    ['two @', 'a@b@example.com'],
    ['consecutive dots', 'a..b@example.com'],
    ['a leading dot', '.a@example.com'],
    ['a trailing dot in the local part', 'a.@example.com'],
    ['a label starting with a hyphen', 'owner@-example.com'],
    ['a one-letter top-level domain', 'owner@example.c'],
    ['a numeric top-level domain', 'owner@example.123'],
    ['a space', 'owner @example.com'],
    ['non-ASCII local part', '홍길동@example.com'],
    ['non-ASCII domain', 'owner@한국.kr'],
    ['255 characters', longest.replace('.com', 'd.com')],
    ['a 65-character local part', `${'a'.repeat(65)}@example.com`],
  ])('rejects %s', (_label, email) => {
    expectOnlyProblemAt(validateDetails(restaurantDetails({ contact: { email } }), RESTAURANT), 'details.contact.email');
  });
});

describe('details.address', () => {
  test.each([
    ['a postal code with a leading zero', { postalCode: '06236' }],
    ['a one-character road', { road: '길' }],
    ['a 200-character road', { road: korean(200) }],
    ['a null detail', { detail: null }],
    ['an empty detail', { detail: '' }],
    ['a 200-character detail', { detail: korean(200) }],
  ])('accepts %s', (_label, overrides) => {
    expect(validateDetails(restaurantDetails({ address: overrides }), RESTAURANT)).toEqual([]);
  });

  test.each([
    ['postalCode', '4 digits', { postalCode: '1234' }],
    ['postalCode', '6 digits', { postalCode: '123456' }],
    ['postalCode', 'a letter', { postalCode: '1234a' }],
    ['postalCode', 'a space', { postalCode: '06 236' }],
    ['postalCode', 'full-width digits', { postalCode: '０６２３６' }],
    ['postalCode', 'empty', { postalCode: '' }],
    ['road', 'empty', { road: '' }],
    ['road', 'blank', { road: '  ' }],
    ['road', '201 characters', { road: korean(201) }],
    ['road', 'a control character', { road: '테헤란로\u0000' }],
    ['detail', '201 characters', { detail: korean(201) }],
    ['detail', 'a line break', { detail: '3층\n301호' }],
  ])('rejects %s with %s', (field, _label, overrides) => {
    expectOnlyProblemAt(validateDetails(restaurantDetails({ address: overrides }), RESTAURANT), `details.address.${field}`);
  });
});

describe('details.businessHours', () => {
  const open = (opensAt: string, closesAt: string, overnight = false): DayHours[] =>
    [{ day: 'MONDAY', hours: { opensAt, closesAt, overnight } }];
  const check = (businessHours: DayHours[]): string[] =>
    validateDetails(restaurantDetails({ businessHours }), RESTAURANT);

  test.each([
    ['no days at all', []],
    ['all seven days', weekHours()],
    ['a closed day', [{ day: 'MONDAY', hours: null }]],
    ['the whole day', open('00:00', '23:59')],
    ['until midnight as 24:00', open('00:00', '24:00')],
    ['a one-minute opening', open('12:00', '12:01')],
    ['overnight 18:00-02:00', open('18:00', '02:00', true)],
    ['overnight until 00:00', open('18:00', '00:00', true)],
    ['overnight round the clock', open('09:00', '09:00', true)],
    ['overnight from 23:59 to 23:58', open('23:59', '23:58', true)],
  ] as [string, DayHours[]][])('accepts %s', (_label, businessHours) => {
    expect(check(businessHours)).toEqual([]);
  });

  test('a weekday twice is rejected at the second entry', () => {
    expectOnlyProblemAt(check([
      { day: 'MONDAY', hours: null },
      { day: 'TUESDAY', hours: null },
      { day: 'MONDAY', hours: { opensAt: '09:00', closesAt: '18:00', overnight: false } },
    ]), 'details.businessHours[2].day');
  });

  test('an unknown weekday is rejected', () => {
    expectOnlyProblemAt(check([{ day: 'FUNDAY' as DayHours['day'], hours: null }]), 'details.businessHours[0].day');
  });

  test.each([
    ['opensAt', 'opensAt 24:00', open('24:00', '24:00')],
    ['opensAt', 'an hour without a leading zero', open('9:00', '18:00')],
    ['opensAt', 'minute 60', open('09:60', '18:00')],
    ['opensAt', 'hour 25', open('25:00', '18:00')],
    ['opensAt', 'seconds', open('09:00:00', '18:00')],
    ['opensAt', 'empty', open('', '18:00')],
    ['closesAt', 'closesAt 24:01', open('09:00', '24:01')],
    ['closesAt', 'closesAt 25:00', open('09:00', '25:00')],
    ['closesAt', 'a 12-hour clock', open('09:00', '6:00 PM')],
    ['closesAt', 'equal times without overnight', open('09:00', '09:00')],
    ['closesAt', 'closing before opening without overnight', open('18:00', '02:00')],
    ['closesAt', 'overnight hours that end the same day', open('09:00', '17:00', true)],
    ['closesAt', 'overnight until 24:00', open('18:00', '24:00', true)],
  ] as [string, string, DayHours[]][])('rejects %s: %s', (field, _label, businessHours) => {
    expectOnlyProblemAt(check(businessHours), `details.businessHours[0].hours.${field}`);
  });

  test('closing before opening suggests the overnight flag', () => {
    expect(check(open('18:00', '02:00'))).toEqual([
      'details.businessHours[0].hours.closesAt: must be after opensAt (18:00); set overnight to true for hours past midnight',
    ]);
  });

  test('problems of several days are all reported', () => {
    const hours = weekHours();
    hours[1] = { day: 'TUESDAY', hours: { opensAt: '9', closesAt: '18:00', overnight: false } };
    hours[6] = { day: 'SUNDAY', hours: { opensAt: '10:00', closesAt: '09:00', overnight: false } };
    expect(check(hours)).toEqual([
      expect.stringMatching(/^details\.businessHours\[1\]\.hours\.opensAt: /),
      expect.stringMatching(/^details\.businessHours\[6\]\.hours\.closesAt: /),
    ]);
  });
});

describe('details.specific', () => {
  test.each([
    ['RESTAURANT', 'PERFORMANCE', performanceDetails()],
    ['RESTAURANT', 'EXHIBITION', exhibitionDetails()],
    ['PERFORMANCE', 'RESTAURANT', restaurantDetails()],
    ['PERFORMANCE', 'EXHIBITION', exhibitionDetails()],
    ['EXHIBITION', 'RESTAURANT', restaurantDetails()],
    ['EXHIBITION', 'PERFORMANCE', performanceDetails()],
  ] as [ContentType, string, ListingDetails][])('a %s application with %s details is rejected', (contentType, _label, details) => {
    const problems = validateDetails(details, { kind: 'NEW_LISTING', contentType });
    expect(problems).toEqual([`details.specific.type: must be ${contentType} for a ${contentType} application (got ${details.specific.type})`]);
  });

  describe('restaurant', () => {
    test.each([
      ['a one-character cuisine', { cuisine: '중' }],
      ['a 50-character cuisine', { cuisine: korean(50) }],
      ['1 seat', { seatCapacity: 1 }],
      ['10000 seats', { seatCapacity: 10_000 }],
    ])('accepts %s', (_label, specific) => {
      expect(validateDetails(restaurantDetails({ specific }), RESTAURANT)).toEqual([]);
    });

    test.each([
      ['cuisine', 'an empty cuisine', { cuisine: '' }],
      ['cuisine', 'a 51-character cuisine', { cuisine: korean(51) }],
      ['cuisine', 'a control character', { cuisine: '한식\u001b' }],
      ['seatCapacity', '0 seats', { seatCapacity: 0 }],
      ['seatCapacity', '10001 seats', { seatCapacity: 10_001 }],
      ['seatCapacity', 'negative seats', { seatCapacity: -5 }],
      ['seatCapacity', 'a fraction', { seatCapacity: 1.5 }],
      ['seatCapacity', 'NaN', { seatCapacity: Number.NaN }],
    ])('rejects %s: %s', (field, _label, specific) => {
      expectOnlyProblemAt(validateDetails(restaurantDetails({ specific }), RESTAURANT), `details.specific.${field}`);
    });
  });

  describe('performance', () => {
    test.each([
      ['a 200-character venue', { venue: korean(200) }],
      ['a single-day run', { startDate: '2025-06-01', endDate: '2025-06-01' }],
      ['a leap day', { startDate: '2024-02-29', endDate: '2024-03-01' }],
      ['1 minute', { runtimeMinutes: 1 }],
      ['1440 minutes', { runtimeMinutes: 1440 }],
      // The ratings the published schema allows, not the validator's own list.
      ...AgeRatingSymbols.map((ageRating): [string, { ageRating: typeof ageRating }] => [`age rating ${ageRating}`, { ageRating }]),
    ])('accepts %s', (_label, specific) => {
      expect(validateDetails(performanceDetails({ specific }), PERFORMANCE)).toEqual([]);
    });

    test.each([
      ['venue', 'an empty venue', { venue: '' }],
      ['venue', 'a 201-character venue', { venue: korean(201) }],
      ['startDate', '29 February of a common year', { startDate: '2023-02-29', endDate: '2023-03-31' }],
      ['startDate', 'month 13', { startDate: '2025-13-01' }],
      ['startDate', '31 April', { startDate: '2025-04-31' }],
      ['startDate', 'day 0', { startDate: '2025-04-00' }],
      ['startDate', 'no zero padding', { startDate: '2025-4-1' }],
      ['startDate', 'a timestamp', { startDate: '2025-03-01T00:00:00Z' }],
      ['startDate', 'year 0000', { startDate: '0000-01-01' }],
      ['endDate', 'an empty end date', { endDate: '' }],
      ['endDate', 'a day-first date', { endDate: '31-05-2025' }],
      ['endDate', 'an end before the start', { startDate: '2025-03-02', endDate: '2025-03-01' }],
      ['runtimeMinutes', '0 minutes', { runtimeMinutes: 0 }],
      ['runtimeMinutes', '1441 minutes', { runtimeMinutes: 1441 }],
      ['runtimeMinutes', 'a fraction', { runtimeMinutes: 90.5 }],
      ['ageRating', 'an unknown rating', { ageRating: 'AGE_21' as 'ALL' }],
    ])('rejects %s: %s', (field, _label, specific) => {
      expectOnlyProblemAt(validateDetails(performanceDetails({ specific }), PERFORMANCE), `details.specific.${field}`);
    });

    test('an end before the start names the start', () => {
      expect(validateDetails(performanceDetails({ specific: { startDate: '2025-03-02', endDate: '2025-03-01' } }), PERFORMANCE))
        .toEqual(['details.specific.endDate: must not be before startDate (2025-03-02)']);
    });
  });

  describe('exhibition', () => {
    test.each([
      ['free entry', { ticketPriceKrw: 0 }],
      ['10,000,000 won', { ticketPriceKrw: 10_000_000 }],
      ['a one-character venue', { venue: '곳' }],
      ['a single-day run', { startDate: '2025-06-01', endDate: '2025-06-01' }],
    ])('accepts %s', (_label, specific) => {
      expect(validateDetails(exhibitionDetails({ specific }), EXHIBITION)).toEqual([]);
    });

    test.each([
      ['ticketPriceKrw', 'a negative price', { ticketPriceKrw: -1 }],
      ['ticketPriceKrw', '10,000,001 won', { ticketPriceKrw: 10_000_001 }],
      ['ticketPriceKrw', 'a fraction', { ticketPriceKrw: 0.5 }],
      ['venue', 'a blank venue', { venue: ' ' }],
      ['endDate', 'an end before the start', { startDate: '2025-08-31', endDate: '2025-04-01' }],
      ['endDate', '30 February', { endDate: '2025-02-30' }],
    ])('rejects %s: %s', (field, _label, specific) => {
      expectOnlyProblemAt(validateDetails(exhibitionDetails({ specific }), EXHIBITION), `details.specific.${field}`);
    });
  });
});

describe('calendar dates', () => {
  test.each(['2024-02-29', '2000-02-29', '2025-12-31', '0001-01-01', '9999-12-31'])('%s is a date', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });
  test.each(['1900-02-29', '2100-02-29', '2025-06-31', '2025-00-10', ' 2025-01-01', '2025/01/01', '20250101'])('%s is not', (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });
});

describe('all problems at once', () => {
  test('every broken field is reported, in field order', () => {
    const details = restaurantDetails({
      name: '',
      contact: { phone: '1', email: 'x' },
      address: { postalCode: '1' },
      specific: { seatCapacity: 0 },
    });
    expect(validateDetails(details, RESTAURANT).map((problem) => problem.split(':')[0])).toEqual([
      'details.name', 'details.contact.phone', 'details.contact.email', 'details.address.postalCode', 'details.specific.seatCapacity',
    ]);
  });
});

describe('details type must match the kind', () => {
  test.each([
    ['NEW_LISTING', infoChangeHours(), 'LISTING'],
    ['INFO_CHANGE', restaurantDetails(), 'INFO_CHANGE'],
  ] as [ApplicationKind, ApplicationDetails, string][])('%s with the other shape', (kind, details, expected) => {
    expect(validateDetails(details, { kind, contentType: 'RESTAURANT' }))
      .toEqual([`details.type: must be ${expected} for a ${kind} application`]);
  });
});

describe('INFO_CHANGE details', () => {
  const change = (overrides: Partial<InfoChangeDetails>): InfoChangeDetails =>
    ({ type: 'INFO_CHANGE', contact: null, address: null, businessHours: null, ...NO_SPECIFIC_CHANGE, ...overrides });

  test('changing nothing is rejected', () => {
    expectOnlyProblemAt(validateDetails(change({}), INFO_CHANGE), 'details');
  });

  test.each([
    ['only the contact', change({ contact: contact() })],
    ['only the address', change({ address: address() })],
    ['only the hours', change({ businessHours: weekHours() })],
    ['everything', change({ contact: contact(), address: address(), businessHours: weekHours() })],
  ])('changing %s is accepted', (_label, details) => {
    expect(validateDetails(details, INFO_CHANGE)).toEqual([]);
  });

  test.each([
    ['details.contact.phone', change({ contact: contact({ phone: '12' }) })],
    ['details.address.postalCode', change({ address: address({ postalCode: 'abcde' }) })],
    ['details.businessHours[0].hours.closesAt', change({ businessHours: [{ day: 'MONDAY', hours: { opensAt: '10:00', closesAt: '09:00', overnight: false } }] })],
  ])('a non-null part is validated: %s', (path, details) => {
    expectOnlyProblemAt(validateDetails(details, INFO_CHANGE), path);
  });
});

describe('submission', () => {
  const submission = { applicantId: 'owner-1', contentType: 'RESTAURANT' } as const;

  test('a NEW_LISTING must not name a listing', () => {
    expectOnlyProblemAt(validateSubmission({ ...submission, kind: 'NEW_LISTING', listingId: 'L-1', details: restaurantDetails() }), 'listingId');
  });

  test.each([null, '', '  '])('an INFO_CHANGE must name a listing (%p)', (listingId) => {
    expectOnlyProblemAt(validateSubmission({ ...submission, kind: 'INFO_CHANGE', listingId, details: infoChangeHours() }), 'listingId');
  });

  test('valid submissions of both kinds', () => {
    expect(validateSubmission({ ...submission, kind: 'NEW_LISTING', listingId: null, details: restaurantDetails() })).toEqual([]);
    expect(validateSubmission({ ...submission, kind: 'INFO_CHANGE', listingId: 'L-1', details: infoChangeHours() })).toEqual([]);
  });

  test.each([
    ['one character', 'o'],
    ['Korean', '사장님-1'],
    ['100 characters', 'a'.repeat(100)],
  ])('an applicantId of %s is accepted', (_label, applicantId) => {
    expect(validateApplicantId(applicantId)).toEqual([]);
  });

  test.each([
    ['empty', ''],
    ['blank', ' '],
    ['101 characters', 'a'.repeat(101)],
    ['a control character', 'owner\u0000'],
  ])('an applicantId %s is rejected', (_label, applicantId) => {
    expectOnlyProblemAt(validateApplicantId(applicantId), 'applicantId');
  });
});

describe('approval note', () => {
  test.each([
    ['no note', null],
    ['an empty note', ''],
    ['a Korean note', '좋습니다'],
    ['1000 characters', korean(1000)],
    ['line breaks', 'line\nbreak'],
  ])('%s is accepted', (_label, note) => {
    expect(validateNote(note)).toEqual([]);
  });
  test.each([
    ['1001 characters', korean(1001)],
    ['a control character', 'a\u0000'],
  ])('%s is rejected', (_label, note) => {
    expectOnlyProblemAt(validateNote(note), 'note');
  });
});

describe('rejection reason', () => {
  test.each([
    ['a short reason', '사진 부족', '사진 부족'],
    ['surrounding whitespace is trimmed', '  \n 주소 불일치 \t ', '주소 불일치'],
    ['1000 characters', korean(1000), korean(1000)],
    ['1000 characters plus surrounding spaces', `  ${korean(1000)}  `, korean(1000)],
    ['1000 emoji (2000 UTF-16 units)', emoji(1000), emoji(1000)],
    ['line breaks and tabs inside', '사진 부족\n\t- 외관 사진 없음', '사진 부족\n\t- 외관 사진 없음'],
  ])('%s is accepted', (_label, reason, stored) => {
    expect(checkRejectionReason(reason)).toEqual({ ok: true, reason: stored });
  });

  test.each([
    ['empty', ''],
    ['blank', '   '],
    ['only line breaks and tabs', '\n\t\r\n'],
    ['1001 characters', 'a'.repeat(1001)],
    ['a control character inside', 'bell\u0007 escape\u001b[31m'],
    ['a lone surrogate', 'half \ud83d pair'],
  ])('%s is refused', (_label, reason) => {
    expect(checkRejectionReason(reason)).toEqual({ ok: false, problem: expect.stringMatching(/^reason: /) });
  });
});
