import { decide, evolve } from '../../src/processors/decider/index.ts';
import type { AdminAuth, Application, Command, CommandType, DomainEvent } from '../../src/processors/decider/index.ts';
import { outcomeOf } from '../../src/processors/outcome.ts';
import { loadConfig, topicsOf } from '../../src/config.ts';
import { restaurantDetails } from '../fixtures/details.ts';

/** Review claims (who reviews an application, take-over, expiry) and reviewer notes, in the pure core. */

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const CLAIM_MS = 15 * MINUTE;
const APP_ID = '3f1c2a9e-8a51-4d5e-b0a2-6a3c1d2e4f50';
const TOPICS = topicsOf(loadConfig({}));
const A: AdminAuth = { ok: true, adminId: 'admin-a' };
const B: AdminAuth = { ok: true, adminId: 'admin-b' };
const REFUSED: AdminAuth = { ok: false, adminId: 'owner-1', reason: 'role OWNER may not decide' };

let sequence = 0;
const meta = (issuedAt: number) => ({ commandId: `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`, applicationId: APP_ID, issuedAt });
const claim = (admin: AdminAuth, issuedAt: number, takeOver = false): Command => ({ ...meta(issuedAt), type: 'ClaimReview', admin, takeOver });
const release = (admin: AdminAuth, issuedAt: number): Command => ({ ...meta(issuedAt), type: 'ReleaseReview', admin });
const note = (admin: AdminAuth, issuedAt: number, text: string): Command => ({ ...meta(issuedAt), type: 'AddReviewerNote', admin, text });
const approve = (admin: AdminAuth, issuedAt: number): Command => ({ ...meta(issuedAt), type: 'ApproveApplication', admin, note: null });
const reject = (admin: AdminAuth, issuedAt: number): Command => ({ ...meta(issuedAt), type: 'RejectApplication', admin, reason: '서류 미비' });

const pending: Application = {
  id: APP_ID, applicantId: 'owner-1', kind: 'NEW_LISTING', listingId: null, contentType: 'RESTAURANT', status: 'PENDING',
  details: restaurantDetails(), version: 1, createdAt: T0, updatedAt: T0, decidedAt: null, decidedBy: null, rejectionReason: null,
  decisionNote: null, reviewClaim: null,
};

function decideOne(state: Application, command: Command): DomainEvent {
  const events = decide(state, command, { listing: null, pendingChangeId: null, reviewClaimMs: CLAIM_MS });
  expect(events).toHaveLength(1);
  return events[0]!;
}

/** Folds the commands from `pending`; returns the last event and the state after it. */
function run(commands: Command[]): { event: DomainEvent; state: Application } {
  let state = pending;
  let event: DomainEvent | undefined;
  for (const command of commands) {
    event = decideOne(state, command);
    state = evolve(state, event, { applicationId: APP_ID, at: command.issuedAt })!;
  }
  return { event: event!, state };
}

const heldByA = [claim(A, T0)];

function expectRefused(event: DomainEvent, commandType: CommandType, code: string, message?: RegExp) {
  expect(event).toEqual({ type: 'CommandRejected', commandType, code, message: message ? expect.stringMatching(message) : expect.any(String) });
}

describe('claiming', () => {
  test('a claim holds from the command\'s issuedAt for the configured time, and is no new version', () => {
    const { event, state } = run(heldByA);
    expect(event).toEqual({ type: 'ReviewClaimed', adminId: 'admin-a', since: T0, expiresAt: T0 + CLAIM_MS, takenOverFrom: null });
    expect(state.reviewClaim).toEqual({ adminId: 'admin-a', since: T0, expiresAt: T0 + CLAIM_MS });
    expect(state.version).toBe(1);
    expect(state.updatedAt).toBe(T0);
  });

  test('a second admin claiming a held application hears ALREADY_CLAIMED, naming the holder and since when', () => {
    const { event, state } = run([...heldByA, claim(B, T0 + MINUTE)]);
    expectRefused(event, 'ClaimReview', 'ALREADY_CLAIMED', /being reviewed by admin-a since 2023-11-14T22:13:20\.000Z/);
    expect(state.reviewClaim?.adminId).toBe('admin-a');
  });

  test('the holder claiming again renews the claim from the new issuedAt', () => {
    const { event } = run([...heldByA, claim(A, T0 + 10 * MINUTE)]);
    expect(event).toEqual({ type: 'ReviewClaimed', adminId: 'admin-a', since: T0 + 10 * MINUTE, expiresAt: T0 + 25 * MINUTE, takenOverFrom: null });
  });

  test('an expired claim holds no one: another admin claims without a take-over, judged by issuedAt', () => {
    expectRefused(run([...heldByA, claim(B, T0 + CLAIM_MS - 1)]).event, 'ClaimReview', 'ALREADY_CLAIMED');
    expect(run([...heldByA, claim(B, T0 + CLAIM_MS)]).event).toEqual({
      type: 'ReviewClaimed', adminId: 'admin-b', since: T0 + CLAIM_MS, expiresAt: T0 + 2 * CLAIM_MS, takenOverFrom: null,
    });
  });

  test('a take-over ends the other admin\'s claim and says whose it was', () => {
    const { event, state } = run([...heldByA, claim(B, T0 + MINUTE, true)]);
    expect(event).toEqual({ type: 'ReviewClaimed', adminId: 'admin-b', since: T0 + MINUTE, expiresAt: T0 + MINUTE + CLAIM_MS, takenOverFrom: 'admin-a' });
    expect(state.reviewClaim?.adminId).toBe('admin-b');
  });

  test('only a MASTER claims, only a PENDING application', () => {
    expectRefused(run([claim(REFUSED, T0)]).event, 'ClaimReview', 'FORBIDDEN', /role OWNER/);
    const approved = run([approve(A, T0)]).state;
    expectRefused(decideOne(approved, claim(B, T0 + MINUTE)), 'ClaimReview', 'NOT_PENDING');
  });
});

describe('deciding a claimed application', () => {
  test.each([['approve', approve], ['reject', reject]] as const)('another admin may not %s it without a take-over', (_name, decision) => {
    const { event, state } = run([...heldByA, decision(B, T0 + MINUTE)]);
    expectRefused(event, decision === approve ? 'ApproveApplication' : 'RejectApplication', 'CLAIMED_BY_OTHER', /admin-a/);
    expect(state.status).toBe('PENDING');
  });

  test('after the take-over the new holder decides, and the decision ends the claim', () => {
    const { event, state } = run([...heldByA, claim(B, T0 + MINUTE, true), approve(B, T0 + 2 * MINUTE)]);
    expect(event.type).toBe('ApplicationApproved');
    expect(state.reviewClaim).toBeNull();
    expect(state.decidedBy).toBe('admin-b');
  });

  test('the holder decides; an unclaimed or expired application is anyone\'s to decide', () => {
    expect(run([...heldByA, reject(A, T0 + MINUTE)]).state).toMatchObject({ status: 'REJECTED', reviewClaim: null });
    expect(run([approve(B, T0)]).event.type).toBe('ApplicationApproved');
    expect(run([...heldByA, approve(B, T0 + CLAIM_MS)]).event.type).toBe('ApplicationApproved');
  });

  test('a withdrawal ends the claim too', () => {
    const { state } = run([...heldByA, { ...meta(T0 + MINUTE), type: 'WithdrawApplication', applicantId: 'owner-1' }]);
    expect(state).toMatchObject({ status: 'WITHDRAWN', reviewClaim: null });
  });
});

describe('releasing', () => {
  test('the holder releases; the claim is gone and the version unchanged', () => {
    const { event, state } = run([...heldByA, release(A, T0 + MINUTE)]);
    expect(event).toEqual({ type: 'ReviewReleased', adminId: 'admin-a' });
    expect(state.reviewClaim).toBeNull();
    expect(state.version).toBe(1);
    expect(run([...heldByA, release(A, T0 + MINUTE), claim(B, T0 + 2 * MINUTE)]).event.type).toBe('ReviewClaimed');
  });

  test('another admin may not release it; nothing held is NOT_CLAIMED', () => {
    expectRefused(run([...heldByA, release(B, T0 + MINUTE)]).event, 'ReleaseReview', 'CLAIMED_BY_OTHER', /admin-a/);
    expectRefused(run([release(A, T0)]).event, 'ReleaseReview', 'NOT_CLAIMED');
    expectRefused(run([...heldByA, release(A, T0 + CLAIM_MS)]).event, 'ReleaseReview', 'NOT_CLAIMED');
    expectRefused(run([release(REFUSED, T0)]).event, 'ReleaseReview', 'FORBIDDEN');
  });
});

describe('reviewer notes', () => {
  test('a MASTER\'s note is an event without its text, and changes nothing of the application', () => {
    const { event, state } = run([note(A, T0, '  사업자등록증 사본 확인 필요  ')]);
    expect(event).toEqual({ type: 'ReviewerNoteAdded', adminId: 'admin-a' });
    expect(state).toBe(pending);
  });

  test('a note needs text, at most 2000 characters, and a MASTER; a decided application still takes one', () => {
    expectRefused(run([note(A, T0, '   ')]).event, 'AddReviewerNote', 'VALIDATION_FAILED', /text: must not be blank/);
    expectRefused(run([note(A, T0, '가'.repeat(2001))]).event, 'AddReviewerNote', 'VALIDATION_FAILED', /at most 2000/);
    expect(run([note(A, T0, '가'.repeat(2000))]).event.type).toBe('ReviewerNoteAdded');
    expectRefused(run([note(REFUSED, T0, '메모')]).event, 'AddReviewerNote', 'FORBIDDEN');
    expect(decideOne(run([approve(A, T0)]).state, note(B, T0 + MINUTE, '승인 후 메모')).type).toBe('ReviewerNoteAdded');
  });
});

describe('what the outcome records', () => {
  const outcome = (commands: Command[]) => {
    let state = pending;
    const command = commands.at(-1)!;
    for (const earlier of commands.slice(0, -1)) state = evolve(state, decideOne(state, earlier), { applicationId: APP_ID, at: earlier.issuedAt })!;
    const events = [decideOne(state, command)];
    const after = evolve(state, events[0]!, { applicationId: APP_ID, at: command.issuedAt });
    return outcomeOf({ command, application: after, events, listing: null, at: T0 + 5 * MINUTE }, TOPICS);
  };

  test('a claim, a take-over and a release are audited as CLAIM, TAKE_OVER and RELEASE', () => {
    expect(outcome(heldByA).adminActions).toEqual([expect.objectContaining({ adminId: 'admin-a', action: 'CLAIM', reason: null })]);
    expect(outcome([...heldByA, claim(B, T0 + MINUTE, true)]).adminActions)
      .toEqual([expect.objectContaining({ adminId: 'admin-b', action: 'TAKE_OVER', reason: 'taken over from admin-a' })]);
    expect(outcome([...heldByA, release(A, T0 + MINUTE)]).adminActions).toEqual([expect.objectContaining({ adminId: 'admin-a', action: 'RELEASE' })]);
    expect(outcome([claim(REFUSED, T0)]).adminActions).toEqual([expect.objectContaining({ adminId: 'owner-1', action: 'DENIED' })]);
  });

  test('a note\'s text goes to the notes store only: not the history entry, not the events topic, no notification', () => {
    const written = outcome([note(A, T0, '  비공개 메모: 대표자 통화 필요  ')]);
    expect(written.reviewerNotes).toEqual([expect.objectContaining({ applicationId: APP_ID, adminId: 'admin-a', text: '비공개 메모: 대표자 통화 필요', at: T0 + 5 * MINUTE })]);
    expect(JSON.stringify(written.events)).not.toContain('비공개');
    expect(written.messages.map((m) => m.topic)).toEqual([TOPICS.events]);
    expect(JSON.stringify(written.messages)).not.toContain('비공개');
    expect(written.adminActions).toEqual([]);
  });
});
