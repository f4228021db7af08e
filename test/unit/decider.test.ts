import { RejectionCodeSymbols } from '../../src/schemas/avro-types.ts';
import {
  LISTING_ID_NAMESPACE, NO_SPECIFIC_CHANGE, decide, evolve, evolveListing, listingIdFor, pendingChangeAfter, uuidV5,
} from '../../src/processors/decider/index.ts';
import type {
  AdminAuth, Application, ApplicationKind, ApplicationStatus, ApprovedEvent, Command, CommandType, DecisionContext,
  DomainEvent, Listing, RejectionCode,
} from '../../src/processors/decider/index.ts';
import {
  businessRegistration, contact, exhibitionDetails, infoChangeContact, infoChangeHours, performanceDetails, restaurantDetails,
} from '../fixtures/details.ts';

const APP_ID = 'app-1';
const APPLICANT = 'owner-1';
const OTHER_APPLICANT = 'owner-2';
const ADMIN = 'admin-1';
const LISTING_ID = 'listing-1';
/** listingIdFor(APP_ID), written out: an expectation computed by listingIdFor would follow it wherever it went. */
const APP_LISTING_ID = '7ef5a41b-f469-503a-b01b-27d912a5743d';
const T0 = 1_700_000_000_000;
const CLAIM_MS = 15 * 60_000;

type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

function application(kind: ApplicationKind, status: ApplicationStatus, overrides: Partial<Application> = {}): Application {
  const decided = status === 'APPROVED' || status === 'REJECTED';
  return {
    id: APP_ID,
    applicantId: APPLICANT,
    kind,
    listingId: kind === 'INFO_CHANGE' ? LISTING_ID : status === 'APPROVED' ? APP_LISTING_ID : null,
    contentType: 'RESTAURANT',
    status,
    details: kind === 'INFO_CHANGE' ? infoChangeHours() : restaurantDetails(),
    version: status === 'PENDING' ? 1 : 2,
    createdAt: T0,
    updatedAt: T0,
    decidedAt: decided ? T0 : null,
    decidedBy: decided ? ADMIN : null,
    rejectionReason: status === 'REJECTED' ? '사진 부족' : null,
    decisionNote: null,
    reviewClaim: null,
    ...overrides,
  };
}

function existingListing(overrides: Partial<Listing> = {}): Listing {
  const { name, description, contact: c, address, businessHours, specific, businessRegistration } = restaurantDetails();
  return {
    id: LISTING_ID, ownerId: APPLICANT, contentType: 'RESTAURANT', name, description, contact: c, address, businessHours, specific, businessRegistration,
    sourceApplicationId: 'app-0', version: 3, createdAt: T0 - 10_000, updatedAt: T0 - 5_000, ...overrides,
  };
}

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return { listing: existingListing(), pendingChangeId: null, reviewClaimMs: CLAIM_MS, ...overrides };
}

const MASTER: AdminAuth = { ok: true, adminId: ADMIN };
const REFUSED: AdminAuth = { ok: false, adminId: APPLICANT, reason: 'role OWNER is not MASTER' };
const meta = { commandId: 'cmd-1', applicationId: APP_ID, issuedAt: T0 };

function submit(kind: ApplicationKind = 'NEW_LISTING', overrides: Partial<CommandOf<'SubmitApplication'>> = {}): CommandOf<'SubmitApplication'> {
  return {
    ...meta,
    type: 'SubmitApplication',
    applicantId: APPLICANT,
    kind,
    listingId: kind === 'INFO_CHANGE' ? LISTING_ID : null,
    contentType: 'RESTAURANT',
    details: kind === 'INFO_CHANGE' ? infoChangeHours() : restaurantDetails(),
    ...overrides,
  };
}

function amend(kind: ApplicationKind = 'NEW_LISTING', overrides: Partial<CommandOf<'AmendApplication'>> = {}): CommandOf<'AmendApplication'> {
  const details = kind === 'INFO_CHANGE' ? infoChangeContact() : restaurantDetails({ name: '을지로 골뱅이집 본점' });
  return { ...meta, type: 'AmendApplication', applicantId: APPLICANT, details, ...overrides };
}

function withdraw(overrides: Partial<CommandOf<'WithdrawApplication'>> = {}): CommandOf<'WithdrawApplication'> {
  return { ...meta, type: 'WithdrawApplication', applicantId: APPLICANT, ...overrides };
}

function approve(overrides: Partial<CommandOf<'ApproveApplication'>> = {}): CommandOf<'ApproveApplication'> {
  return { ...meta, type: 'ApproveApplication', admin: MASTER, note: null, ...overrides };
}

function reject(overrides: Partial<CommandOf<'RejectApplication'>> = {}): CommandOf<'RejectApplication'> {
  return { ...meta, type: 'RejectApplication', admin: MASTER, reason: '사진이 부족합니다', ...overrides };
}

function claim(overrides: Partial<CommandOf<'ClaimReview'>> = {}): CommandOf<'ClaimReview'> {
  return { ...meta, type: 'ClaimReview', admin: MASTER, takeOver: false, ...overrides };
}

function release(overrides: Partial<CommandOf<'ReleaseReview'>> = {}): CommandOf<'ReleaseReview'> {
  return { ...meta, type: 'ReleaseReview', admin: MASTER, ...overrides };
}

function note(overrides: Partial<CommandOf<'AddReviewerNote'>> = {}): CommandOf<'AddReviewerNote'> {
  return { ...meta, type: 'AddReviewerNote', admin: MASTER, text: '사업자등록증 사본 확인 필요', ...overrides };
}

function commandFor(type: CommandType, kind: ApplicationKind): Command {
  switch (type) {
    case 'SubmitApplication': return submit(kind);
    case 'AmendApplication': return amend(kind);
    case 'WithdrawApplication': return withdraw();
    case 'ApproveApplication': return approve();
    case 'RejectApplication': return reject();
    case 'ClaimReview': return claim();
    case 'ReleaseReview': return release();
    case 'AddReviewerNote': return note();
  }
}

/** decide always answers with exactly one event. */
function decideOne(state: Application | null, command: Command, ctx: DecisionContext = context()): DomainEvent {
  const events = decide(state, command, ctx);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function outcomeOf(event: DomainEvent): string {
  return event.type === 'CommandRejected' ? event.code : event.type;
}

function expectRejected(event: DomainEvent, commandType: CommandType, code: RejectionCode, message?: RegExp | string): void {
  expect(event).toEqual({ type: 'CommandRejected', commandType, code, message: expect.any(String) });
  if (message !== undefined && event.type === 'CommandRejected') {
    // eslint-disable-next-line honesty/guarded-expect -- the message is checked when the caller names one; the event's shape is asserted above either way
    if (typeof message === 'string') expect(event.message).toBe(message);
    // eslint-disable-next-line honesty/guarded-expect -- as above
    else expect(event.message).toMatch(message);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

describe('every status against every command', () => {
  type Row = Record<CommandType, string>;
  const NOT_PENDING: Row = {
    SubmitApplication: 'ALREADY_EXISTS',
    AmendApplication: 'NOT_PENDING',
    WithdrawApplication: 'NOT_PENDING',
    ApproveApplication: 'NOT_PENDING',
    RejectApplication: 'NOT_PENDING',
    ClaimReview: 'NOT_PENDING',
    ReleaseReview: 'NOT_PENDING',
    AddReviewerNote: 'ReviewerNoteAdded',
  };
  const MATRIX: Record<ApplicationStatus | 'none', Row> = {
    none: {
      SubmitApplication: 'ApplicationSubmitted',
      AmendApplication: 'NOT_FOUND',
      WithdrawApplication: 'NOT_FOUND',
      ApproveApplication: 'NOT_FOUND',
      RejectApplication: 'NOT_FOUND',
      ClaimReview: 'NOT_FOUND',
      ReleaseReview: 'NOT_FOUND',
      AddReviewerNote: 'NOT_FOUND',
    },
    PENDING: {
      SubmitApplication: 'ALREADY_EXISTS',
      AmendApplication: 'ApplicationAmended',
      WithdrawApplication: 'ApplicationWithdrawn',
      ApproveApplication: 'ApplicationApproved',
      RejectApplication: 'ApplicationRejected',
      ClaimReview: 'ReviewClaimed',
      ReleaseReview: 'NOT_CLAIMED',
      AddReviewerNote: 'ReviewerNoteAdded',
    },
    APPROVED: NOT_PENDING,
    REJECTED: NOT_PENDING,
    WITHDRAWN: NOT_PENDING,
  };
  const rows = (['NEW_LISTING', 'INFO_CHANGE'] as const).flatMap((kind) =>
    Object.entries(MATRIX).flatMap(([status, row]) =>
      Object.entries(row).map(([command, expected]) => [kind, status, command, expected] as const)));

  test.each(rows)('%s %s + %s -> %s', (kind, status, commandType, expected) => {
    const state = status === 'none' ? null : application(kind, status as ApplicationStatus);
    const command = commandFor(commandType as CommandType, kind);
    const event = decideOne(state, command);
    expect(outcomeOf(event)).toBe(expected);
    // eslint-disable-next-line honesty/guarded-expect -- the outcome is pinned by the expect above; a refusal also names its command
    if (event.type === 'CommandRejected') expect(event.commandType).toBe(commandType);
  });
});

describe('every rejection code the decider can produce', () => {
  const pending = application('NEW_LISTING', 'PENDING');
  const heldByOther = application('NEW_LISTING', 'PENDING', { reviewClaim: { adminId: 'admin-2', since: T0, expiresAt: T0 + CLAIM_MS } });
  const scenarios: [RejectionCode, string, () => DomainEvent][] = [
    ['NOT_FOUND', 'amend of an unknown application', () => decideOne(null, amend())],
    ['ALREADY_EXISTS', 'a second submit', () => decideOne(pending, submit())],
    ['NOT_PENDING', 'approve of a withdrawn application', () => decideOne(application('NEW_LISTING', 'WITHDRAWN'), approve())],
    ['REASON_REQUIRED', 'reject without a reason', () => decideOne(pending, reject({ reason: ' ' }))],
    ['FORBIDDEN', 'approve by a non-MASTER', () => decideOne(pending, approve({ admin: REFUSED }))],
    ['VALIDATION_FAILED', 'submit with a bad phone', () => decideOne(null, submit('NEW_LISTING', { details: restaurantDetails({ contact: { phone: 'x' } }) }))],
    ['DUPLICATE_PENDING', 'a second pending change of a listing', () => decideOne(null, submit('INFO_CHANGE'), context({ pendingChangeId: 'app-0' }))],
    ['LISTING_NOT_FOUND', 'a change of an unknown listing', () => decideOne(null, submit('INFO_CHANGE'), context({ listing: null }))],
    ['ALREADY_CLAIMED', 'a claim of what another admin holds', () => decideOne(heldByOther, claim())],
    ['CLAIMED_BY_OTHER', 'approve of what another admin holds', () => decideOne(heldByOther, approve())],
    ['NOT_CLAIMED', 'release of an unclaimed application', () => decideOne(pending, release())],
  ];

  test.each(scenarios)('%s: %s', (code, _label, run) => {
    const event = run();
    expect(event.type === 'CommandRejected' && event.code).toBe(code);
  });

  test('all codes but IDEMPOTENCY_KEY_REUSED (the shell\'s) and UNKNOWN (a reader\'s default) are covered', () => {
    const covered = new Set(scenarios.map(([code]) => code));
    expect([...covered].sort()).toEqual(RejectionCodeSymbols.filter((code) => code !== 'IDEMPOTENCY_KEY_REUSED' && code !== 'UNKNOWN').sort());
  });

  test('the decider never produces IDEMPOTENCY_KEY_REUSED', () => {
    const codes = scenarios.map(([, , run]) => run()).map(outcomeOf);
    expect(codes).not.toContain('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('SubmitApplication', () => {
  test.each([
    ['RESTAURANT', restaurantDetails()],
    ['PERFORMANCE', performanceDetails()],
    ['EXHIBITION', exhibitionDetails()],
  ] as const)('a valid NEW_LISTING %s is submitted with its snapshot', (contentType, details) => {
    const command = submit('NEW_LISTING', { contentType, details });
    expect(decideOne(null, command, context({ listing: null }))).toEqual({
      type: 'ApplicationSubmitted',
      application: { applicantId: APPLICANT, kind: 'NEW_LISTING', listingId: null, contentType, details },
    });
  });

  test('a NEW_LISTING ignores the listing context', () => {
    const event = decideOne(null, submit('NEW_LISTING'), context({ listing: existingListing({ ownerId: OTHER_APPLICANT }), pendingChangeId: 'app-0' }));
    expect(event.type).toBe('ApplicationSubmitted');
  });

  test('a valid INFO_CHANGE is submitted', () => {
    expect(decideOne(null, submit('INFO_CHANGE'))).toEqual({
      type: 'ApplicationSubmitted',
      application: { applicantId: APPLICANT, kind: 'INFO_CHANGE', listingId: LISTING_ID, contentType: 'RESTAURANT', details: infoChangeHours() },
    });
  });

  test('an existing application is ALREADY_EXISTS whatever its status', () => {
    expectRejected(decideOne(application('INFO_CHANGE', 'REJECTED'), submit('INFO_CHANGE')), 'SubmitApplication', 'ALREADY_EXISTS', /app-1 already exists/);
  });

  test('all validation problems are joined by "; "', () => {
    const details = restaurantDetails({ name: '', contact: { phone: '1' }, specific: { seatCapacity: 0 } });
    expectRejected(decideOne(null, submit('NEW_LISTING', { details })), 'SubmitApplication', 'VALIDATION_FAILED',
      /^details\.name: [^;]+; details\.contact\.phone: [^;]+; details\.specific\.seatCapacity: [^;]+$/);
  });

  test.each([
    ['details of the wrong kind', submit('NEW_LISTING', { details: infoChangeHours() }), /^details\.type: /],
    ['specific of the wrong content type', submit('NEW_LISTING', { contentType: 'PERFORMANCE' }), /^details\.specific\.type: /],
    ['a NEW_LISTING naming a listing', submit('NEW_LISTING', { listingId: LISTING_ID }), /^listingId: /],
    ['an INFO_CHANGE without a listing', submit('INFO_CHANGE', { listingId: null }), /^listingId: /],
    ['a blank applicant', submit('NEW_LISTING', { applicantId: '' }), /^applicantId: /],
    ['an INFO_CHANGE changing nothing', submit('INFO_CHANGE', { details: { type: 'INFO_CHANGE', contact: null, address: null, businessHours: null, ...NO_SPECIFIC_CHANGE } }), /^details: /],
  ])('%s is VALIDATION_FAILED', (_label, command, message) => {
    expectRejected(decideOne(null, command), 'SubmitApplication', 'VALIDATION_FAILED', message);
  });

  test('validation comes before the listing lookup', () => {
    const command = submit('INFO_CHANGE', { details: infoChangeContact({ phone: 'x' }) });
    expectRejected(decideOne(null, command, context({ listing: null })), 'SubmitApplication', 'VALIDATION_FAILED');
  });

  test('an INFO_CHANGE of a missing listing is LISTING_NOT_FOUND', () => {
    expectRejected(decideOne(null, submit('INFO_CHANGE'), context({ listing: null })), 'SubmitApplication', 'LISTING_NOT_FOUND', /listing-1/);
  });

  test('a context listing other than the one named counts as missing', () => {
    const ctx = context({ listing: existingListing({ id: 'listing-2' }) });
    expectRejected(decideOne(null, submit('INFO_CHANGE'), ctx), 'SubmitApplication', 'LISTING_NOT_FOUND');
  });

  test('an INFO_CHANGE of someone else\'s listing is FORBIDDEN', () => {
    const ctx = context({ listing: existingListing({ ownerId: OTHER_APPLICANT }) });
    expectRejected(decideOne(null, submit('INFO_CHANGE'), ctx), 'SubmitApplication', 'FORBIDDEN');
  });

  test('an INFO_CHANGE with a content type other than the listing\'s is VALIDATION_FAILED', () => {
    const ctx = context({ listing: existingListing({ contentType: 'EXHIBITION' }) });
    expectRejected(decideOne(null, submit('INFO_CHANGE'), ctx), 'SubmitApplication', 'VALIDATION_FAILED', /^contentType: must be EXHIBITION/);
  });

  test('a second pending change of one listing is DUPLICATE_PENDING, naming the first', () => {
    expectRejected(decideOne(null, submit('INFO_CHANGE'), context({ pendingChangeId: 'app-0' })), 'SubmitApplication', 'DUPLICATE_PENDING', /app-0/);
  });

  test('ownership is checked before the duplicate, so others learn nothing about pending changes', () => {
    const ctx = context({ listing: existingListing({ ownerId: OTHER_APPLICANT }), pendingChangeId: 'app-0' });
    expectRejected(decideOne(null, submit('INFO_CHANGE'), ctx), 'SubmitApplication', 'FORBIDDEN');
  });

  test('Korean names and applicant ids are ordinary input', () => {
    const command = submit('NEW_LISTING', { applicantId: '사장님-7', details: restaurantDetails({ name: '가'.repeat(100) }) });
    expect(decideOne(null, command).type).toBe('ApplicationSubmitted');
  });
});

describe('AmendApplication', () => {
  test.each(['NEW_LISTING', 'INFO_CHANGE'] as const)('a %s is amended with the new details', (kind) => {
    const command = amend(kind);
    expect(decideOne(application(kind, 'PENDING'), command)).toEqual({ type: 'ApplicationAmended', applicantId: APPLICANT, details: command.details });
  });

  test('another applicant is FORBIDDEN, even when the application is no longer pending', () => {
    for (const status of ['PENDING', 'APPROVED'] as const) {
      expectRejected(decideOne(application('NEW_LISTING', status), amend('NEW_LISTING', { applicantId: OTHER_APPLICANT })), 'AmendApplication', 'FORBIDDEN');
    }
  });

  test('details of the other kind are VALIDATION_FAILED', () => {
    expectRejected(decideOne(application('NEW_LISTING', 'PENDING'), amend('INFO_CHANGE')), 'AmendApplication', 'VALIDATION_FAILED', /^details\.type: must be LISTING/);
    expectRejected(decideOne(application('INFO_CHANGE', 'PENDING'), amend('NEW_LISTING')), 'AmendApplication', 'VALIDATION_FAILED', /^details\.type: must be INFO_CHANGE/);
  });

  test('details of another content type are VALIDATION_FAILED', () => {
    const command = amend('NEW_LISTING', { details: performanceDetails() });
    expectRejected(decideOne(application('NEW_LISTING', 'PENDING'), command), 'AmendApplication', 'VALIDATION_FAILED', /^details\.specific\.type: /);
  });

  test('invalid details are VALIDATION_FAILED with the field path', () => {
    const command = amend('NEW_LISTING', { details: restaurantDetails({ address: { postalCode: '123' } }) });
    expectRejected(decideOne(application('NEW_LISTING', 'PENDING'), command), 'AmendApplication', 'VALIDATION_FAILED', /^details\.address\.postalCode: /);
  });

  test('status is checked before the details', () => {
    const command = amend('NEW_LISTING', { details: restaurantDetails({ name: '' }) });
    expectRejected(decideOne(application('NEW_LISTING', 'REJECTED'), command), 'AmendApplication', 'NOT_PENDING', /REJECTED/);
  });
});

describe('WithdrawApplication', () => {
  test('the applicant withdraws a pending application', () => {
    expect(decideOne(application('NEW_LISTING', 'PENDING'), withdraw())).toEqual({ type: 'ApplicationWithdrawn', applicantId: APPLICANT });
  });

  test('another applicant is FORBIDDEN', () => {
    expectRejected(decideOne(application('NEW_LISTING', 'PENDING'), withdraw({ applicantId: OTHER_APPLICANT })), 'WithdrawApplication', 'FORBIDDEN');
  });

  test('withdrawing twice is NOT_PENDING', () => {
    expectRejected(decideOne(application('NEW_LISTING', 'WITHDRAWN'), withdraw()), 'WithdrawApplication', 'NOT_PENDING', /WITHDRAWN/);
  });
});

describe('ApproveApplication', () => {
  test('a NEW_LISTING is approved into a derived listing id', () => {
    const state = application('NEW_LISTING', 'PENDING');
    expect(decideOne(state, approve({ note: '확인했습니다' }))).toEqual({
      type: 'ApplicationApproved',
      adminId: ADMIN,
      note: '확인했습니다',
      listingId: APP_LISTING_ID,
      application: { applicantId: APPLICANT, kind: 'NEW_LISTING', listingId: APP_LISTING_ID, contentType: 'RESTAURANT', details: state.details },
    });
  });

  test('an INFO_CHANGE is approved for its listing', () => {
    const state = application('INFO_CHANGE', 'PENDING');
    expect(decideOne(state, approve())).toEqual({
      type: 'ApplicationApproved',
      adminId: ADMIN,
      note: null,
      listingId: LISTING_ID,
      application: { applicantId: APPLICANT, kind: 'INFO_CHANGE', listingId: LISTING_ID, contentType: 'RESTAURANT', details: state.details },
    });
  });

  test('the admin id comes from the verified token', () => {
    const event = decideOne(application('NEW_LISTING', 'PENDING'), approve({ admin: { ok: true, adminId: 'master-9' } }));
    expect(event.type === 'ApplicationApproved' && event.adminId).toBe('master-9');
  });

  test('a refused token is FORBIDDEN with the reason, before anything else', () => {
    for (const state of [null, application('NEW_LISTING', 'PENDING'), application('NEW_LISTING', 'APPROVED')]) {
      expectRejected(decideOne(state, approve({ admin: REFUSED, note: 'x'.repeat(2000) })), 'ApproveApplication', 'FORBIDDEN', /role OWNER is not MASTER/);
    }
  });

  test('a token refused without an admin id is FORBIDDEN too', () => {
    const admin: AdminAuth = { ok: false, adminId: null, reason: 'signature invalid' };
    expectRejected(decideOne(application('NEW_LISTING', 'PENDING'), approve({ admin })), 'ApproveApplication', 'FORBIDDEN', /signature invalid/);
  });

  test('a note of 1000 characters is accepted, 1001 is VALIDATION_FAILED', () => {
    const state = application('NEW_LISTING', 'PENDING');
    expect(decideOne(state, approve({ note: '가'.repeat(1000) })).type).toBe('ApplicationApproved');
    expectRejected(decideOne(state, approve({ note: '가'.repeat(1001) })), 'ApproveApplication', 'VALIDATION_FAILED', /^note: /);
  });

  test('an INFO_CHANGE whose listing went away is LISTING_NOT_FOUND', () => {
    expectRejected(decideOne(application('INFO_CHANGE', 'PENDING'), approve(), context({ listing: null })), 'ApproveApplication', 'LISTING_NOT_FOUND');
  });

  test('a NEW_LISTING does not need a listing in the context', () => {
    expect(decideOne(application('NEW_LISTING', 'PENDING'), approve(), context({ listing: null })).type).toBe('ApplicationApproved');
  });
});

describe('RejectApplication', () => {
  test('the reason is stored trimmed', () => {
    expect(decideOne(application('NEW_LISTING', 'PENDING'), reject({ reason: '  사진 부족\n' })))
      .toEqual({ type: 'ApplicationRejected', adminId: ADMIN, reason: '사진 부족' });
  });

  test.each([
    ['empty', ''],
    ['blank', ' \n\t '],
    ['1001 characters', '가'.repeat(1001)],
  ])('a reason that is %s is REASON_REQUIRED, not VALIDATION_FAILED', (_label, reason) => {
    expectRejected(decideOne(application('NEW_LISTING', 'PENDING'), reject({ reason })), 'RejectApplication', 'REASON_REQUIRED', /^reason: /);
  });

  test('a reason of exactly 1000 characters is accepted', () => {
    expect(decideOne(application('NEW_LISTING', 'PENDING'), reject({ reason: '가'.repeat(1000) })).type).toBe('ApplicationRejected');
  });

  test('a refused token is FORBIDDEN before NOT_FOUND and REASON_REQUIRED', () => {
    expectRejected(decideOne(null, reject({ admin: REFUSED, reason: '' })), 'RejectApplication', 'FORBIDDEN', /role OWNER is not MASTER/);
  });

  test('NOT_PENDING comes before REASON_REQUIRED', () => {
    expectRejected(decideOne(application('NEW_LISTING', 'APPROVED'), reject({ reason: '' })), 'RejectApplication', 'NOT_PENDING');
  });
});

describe('two decisions racing', () => {
  const at = (n: number) => ({ applicationId: APP_ID, at: T0 + n });

  test.each([
    ['approve then reject', approve(), reject()],
    ['reject then approve', reject(), approve()],
    ['approve twice', approve(), approve()],
    ['reject twice', reject(), reject()],
    ['withdraw then approve', withdraw(), approve()],
  ])('%s: the first wins, the second is NOT_PENDING', (_label, first, second) => {
    const pending = application('NEW_LISTING', 'PENDING');
    const won = decideOne(pending, first);
    expect(won.type).not.toBe('CommandRejected');
    const after = evolve(pending, won, at(1))!;
    const lost = decideOne(after, second);
    expectRejected(lost, second.type, 'NOT_PENDING');
    expect(evolve(after, lost, at(2))).toBe(after);
  });
});

describe('decide is pure', () => {
  test('it neither mutates its inputs nor varies its answer', () => {
    const cases: [Application | null, Command, DecisionContext][] = [
      [null, submit('INFO_CHANGE'), context()],
      [application('NEW_LISTING', 'PENDING'), amend(), context()],
      [application('NEW_LISTING', 'PENDING'), approve({ note: 'ok' }), context()],
      [application('INFO_CHANGE', 'PENDING'), approve(), context()],
      [application('NEW_LISTING', 'PENDING'), reject({ reason: ' x ' }), context()],
      [application('NEW_LISTING', 'APPROVED'), withdraw(), context()],
    ];
    for (const [state, command, ctx] of cases) {
      const snapshot = structuredClone([state, command, ctx]);
      deepFreeze([state, command, ctx]);
      const first = decide(state, command, ctx);
      expect(decide(state, command, ctx)).toEqual(first);
      expect([state, command, ctx]).toEqual(snapshot);
    }
  });

});

describe('evolve', () => {
  const at = (n: number) => ({ applicationId: APP_ID, at: T0 + n });

  test('ApplicationSubmitted creates version 1, PENDING', () => {
    const event = decideOne(null, submit('INFO_CHANGE'));
    expect(evolve(null, event, at(0))).toEqual({
      id: APP_ID,
      applicantId: APPLICANT,
      kind: 'INFO_CHANGE',
      listingId: LISTING_ID,
      contentType: 'RESTAURANT',
      status: 'PENDING',
      details: infoChangeHours(),
      version: 1,
      createdAt: T0,
      updatedAt: T0,
      decidedAt: null,
      decidedBy: null,
      rejectionReason: null,
      decisionNote: null,
      reviewClaim: null,
    });
  });

  test('ApplicationAmended replaces the details and bumps the version', () => {
    const state = application('NEW_LISTING', 'PENDING');
    const details = restaurantDetails({ name: '새 이름' });
    expect(evolve(state, { type: 'ApplicationAmended', applicantId: APPLICANT, details }, at(5)))
      .toEqual({ ...state, details, version: 2, updatedAt: T0 + 5 });
  });

  test('ApplicationWithdrawn', () => {
    const state = application('NEW_LISTING', 'PENDING');
    expect(evolve(state, { type: 'ApplicationWithdrawn', applicantId: APPLICANT }, at(5)))
      .toEqual({ ...state, status: 'WITHDRAWN', version: 2, updatedAt: T0 + 5 });
  });

  test('ApplicationApproved of a NEW_LISTING records the decision and the new listing id', () => {
    const state = application('NEW_LISTING', 'PENDING');
    const event = decideOne(state, approve({ note: '좋아요' }));
    expect(evolve(state, event, at(7))).toEqual({
      ...state,
      status: 'APPROVED',
      listingId: APP_LISTING_ID,
      decidedAt: T0 + 7,
      decidedBy: ADMIN,
      decisionNote: '좋아요',
      version: 2,
      updatedAt: T0 + 7,
    });
  });

  test('ApplicationApproved of an INFO_CHANGE keeps its listing id', () => {
    const state = application('INFO_CHANGE', 'PENDING');
    expect(evolve(state, decideOne(state, approve()), at(7))).toMatchObject({ status: 'APPROVED', listingId: LISTING_ID, version: 2 });
  });

  test('ApplicationRejected records the reason and the admin', () => {
    const state = application('NEW_LISTING', 'PENDING');
    expect(evolve(state, { type: 'ApplicationRejected', adminId: ADMIN, reason: '주소 불일치' }, at(9))).toEqual({
      ...state, status: 'REJECTED', rejectionReason: '주소 불일치', decidedBy: ADMIN, decidedAt: T0 + 9, version: 2, updatedAt: T0 + 9,
    });
  });

  test('CommandRejected returns the very same state, null included', () => {
    const refusal: DomainEvent = { type: 'CommandRejected', commandType: 'ApproveApplication', code: 'FORBIDDEN', message: 'no' };
    const state = application('NEW_LISTING', 'PENDING');
    expect(evolve(state, refusal, at(1))).toBe(state);
    expect(evolve(null, refusal, at(1))).toBeNull();
  });

  test('it does not mutate the state it is given', () => {
    const state = deepFreeze(application('NEW_LISTING', 'PENDING'));
    expect(() => evolve(state, { type: 'ApplicationWithdrawn', applicantId: APPLICANT }, at(1))).not.toThrow();
    expect(state.status).toBe('PENDING');
  });

  test.each<DomainEvent>([
    { type: 'ApplicationAmended', applicantId: APPLICANT, details: restaurantDetails() },
    { type: 'ApplicationWithdrawn', applicantId: APPLICANT },
    { type: 'ApplicationRejected', adminId: ADMIN, reason: 'x' },
  ])('$type for no application is a programming error', (event) => {
    expect(() => evolve(null, event, at(1))).toThrow(/does not exist/);
  });

  test('ApplicationSubmitted for an existing application is a programming error', () => {
    expect(() => evolve(application('NEW_LISTING', 'PENDING'), decideOne(null, submit()), at(1))).toThrow(/existing/);
  });

  test('the version grows by one per accepted event and not at all per refusal', () => {
    const commands: Command[] = [
      submit(),
      submit(), // ALREADY_EXISTS
      amend('NEW_LISTING', { details: restaurantDetails({ name: '둘째' }) }),
      amend('NEW_LISTING', { applicantId: OTHER_APPLICANT }), // FORBIDDEN
      amend('NEW_LISTING', { details: restaurantDetails({ name: '셋째' }) }),
      reject({ reason: '' }), // REASON_REQUIRED
      approve({ admin: REFUSED }), // FORBIDDEN
      approve(),
      reject(), // NOT_PENDING
      withdraw(), // NOT_PENDING
    ];
    let state: Application | null = null;
    const trail: [string, number | undefined][] = [];
    commands.forEach((command, index) => {
      const [event] = decide(state, command, context());
      state = evolve(state, event!, at(index));
      trail.push([outcomeOf(event!), state?.version]);
    });
    expect(trail).toEqual([
      ['ApplicationSubmitted', 1],
      ['ALREADY_EXISTS', 1],
      ['ApplicationAmended', 2],
      ['FORBIDDEN', 2],
      ['ApplicationAmended', 3],
      ['REASON_REQUIRED', 3],
      ['FORBIDDEN', 3],
      ['ApplicationApproved', 4],
      ['NOT_PENDING', 4],
      ['NOT_PENDING', 4],
    ]);
    expect(state).toMatchObject({ status: 'APPROVED', createdAt: T0, updatedAt: T0 + 7, decidedAt: T0 + 7 });
  });
});

describe('evolveListing', () => {
  const at = { applicationId: APP_ID, at: T0 + 50 };
  const approvedOf = (state: Application, ctx = context()): ApprovedEvent => {
    const event = decideOne(state, approve(), ctx);
    if (event.type !== 'ApplicationApproved') throw new Error(`expected an approval, got ${outcomeOf(event)}`);
    return event;
  };

  test('an approved NEW_LISTING creates version 1 of the listing, owned by the applicant', () => {
    const details = performanceDetails({ businessRegistration: businessRegistration() });
    const state = application('NEW_LISTING', 'PENDING', { contentType: 'PERFORMANCE', details, applicantId: '극단-1' });
    expect(evolveListing(null, approvedOf(state), at)).toEqual({
      id: APP_LISTING_ID,
      ownerId: '극단-1',
      contentType: 'PERFORMANCE',
      name: details.name,
      description: details.description,
      contact: details.contact,
      address: details.address,
      businessHours: details.businessHours,
      specific: details.specific,
      businessRegistration: details.businessRegistration,
      sourceApplicationId: APP_ID,
      version: 1,
      createdAt: T0 + 50,
      updatedAt: T0 + 50,
    });
  });

  test('an approved INFO_CHANGE of the hours replaces only the hours', () => {
    const listing = existingListing();
    const next = evolveListing(listing, approvedOf(application('INFO_CHANGE', 'PENDING')), at);
    expect(next).toEqual({
      ...listing, businessHours: infoChangeHours().businessHours, sourceApplicationId: APP_ID, version: 4, updatedAt: T0 + 50,
    });
  });

  test('an approved INFO_CHANGE of contact and address keeps the hours', () => {
    const listing = existingListing();
    const newContact = contact({ phone: '+82-10-9999-8888' });
    const newAddress = { postalCode: '04524', road: '서울 중구 세종대로 110', detail: null };
    const state = application('INFO_CHANGE', 'PENDING', { details: { type: 'INFO_CHANGE', contact: newContact, address: newAddress, businessHours: null, ...NO_SPECIFIC_CHANGE } });
    expect(evolveListing(listing, approvedOf(state), at)).toEqual({
      ...listing, contact: newContact, address: newAddress, sourceApplicationId: APP_ID, version: 4, updatedAt: T0 + 50,
    });
  });

  test('it does not mutate the listing it is given', () => {
    const listing = deepFreeze(existingListing());
    evolveListing(listing, approvedOf(application('INFO_CHANGE', 'PENDING')), at);
    expect(listing.version).toBe(3);
  });

  test('inputs the decider cannot produce are programming errors', () => {
    const newListing = approvedOf(application('NEW_LISTING', 'PENDING'));
    const change = approvedOf(application('INFO_CHANGE', 'PENDING'));
    expect(() => evolveListing(existingListing(), newListing, at)).toThrow(/already exists/);
    expect(() => evolveListing(null, change, at)).toThrow(/missing listing/);
    expect(() => evolveListing(existingListing({ id: 'listing-2' }), change, at)).toThrow(/listing-1/);
  });
});

describe('listingIdFor', () => {
  const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  test('uuidV5 matches the RFC reference value', () => {
    // uuid5(NAMESPACE_DNS, 'www.example.com') as computed by Python's uuid module.
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('is a version 5 UUID', () => {
    expect(listingIdFor(APP_ID)).toMatch(V5);
    expect(listingIdFor('신청-1')).toMatch(V5);
  });

  test('differs between applications', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => listingIdFor(`app-${i}`)));
    expect(ids.size).toBe(1000);
  });

  test('is pinned: changing the namespace would rename published listings', () => {
    expect(LISTING_ID_NAMESPACE).toBe('7f7ef740-dff6-4b4d-91b2-56255c2145a1');
    expect(listingIdFor(APP_ID)).toBe(APP_LISTING_ID);
    expect(listingIdFor('신청-1')).toBe('620d5ec3-9f24-5251-adba-e2850ff8d634');
  });

  test('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(/not a UUID/);
  });
});

describe('pendingChangeAfter (one pending change per listing)', () => {
  const change = (status: ApplicationStatus, id = APP_ID) => application('INFO_CHANGE', status, { id, listingId: 'listing-1' });
  const OTHER = '7d1f0c7e-1b1e-4a59-9c53-2f3b1f5f9e10';

  test('a change that becomes PENDING holds its listing', () => {
    expect(pendingChangeAfter(null, null, change('PENDING'))).toBe(APP_ID);
  });

  test('the holder leaving PENDING frees the listing, whichever way it leaves', () => {
    for (const status of ['APPROVED', 'REJECTED', 'WITHDRAWN'] as const) {
      expect(pendingChangeAfter(APP_ID, change('PENDING'), change(status))).toBeNull();
    }
  });

  test('another application leaving PENDING does not free a listing it does not hold', () => {
    expect(pendingChangeAfter(OTHER, change('PENDING'), change('REJECTED'))).toBe(OTHER);
  });

  test('an amendment of the holder keeps it; a NEW_LISTING never holds a listing', () => {
    expect(pendingChangeAfter(APP_ID, change('PENDING'), change('PENDING'))).toBe(APP_ID);
    const approvedNew = application('NEW_LISTING', 'APPROVED', { listingId: 'listing-1' });
    expect(pendingChangeAfter(null, application('NEW_LISTING', 'PENDING'), approvedNew)).toBeNull();
    expect(pendingChangeAfter(OTHER, application('NEW_LISTING', 'PENDING'), approvedNew)).toBe(OTHER);
  });
});
