import { decide, evolve, evolveListing } from '../../src/processors/decider/index.ts';
import type { Application, Command, DomainEvent, Listing } from '../../src/processors/decider/index.ts';
import { outcomeOf } from '../../src/processors/outcome.ts';
import { topicsOf, loadConfig } from '../../src/config.ts';
import { restaurantDetails } from '../fixtures/details.ts';

/** Which outcomes announce new work to the reviewers, under the configured recipient id. */

const T0 = 1_700_000_000_000;
const APP_ID = '3f1c2a9e-8a51-4d5e-b0a2-6a3c1d2e4f50';
const OWNER = 'owner-1';
const TOPICS = topicsOf(loadConfig({ REVIEWERS_RECIPIENT_ID: 'review-team-7' }));
const meta = (n: number) => ({ commandId: `00000000-0000-4000-8000-00000000000${n}`, applicationId: APP_ID, issuedAt: T0 });

/** Folds the commands through the decider; returns, per command, the notifications its outcome sends. */
function notificationsOf(commands: Command[]): { key: string; recipientId: string; template: string }[][] {
  let state: Application | null = null;
  return commands.map((command) => {
    const events: DomainEvent[] = decide(state, command, { listing: null, pendingChangeId: null, reviewClaimMs: 15 * 60_000 });
    let listing: Listing | null = null;
    for (const event of events) {
      state = evolve(state, event, { applicationId: APP_ID, at: T0 });
      if (event.type === 'ApplicationApproved') listing = evolveListing(null, event, { applicationId: APP_ID, at: T0 });
    }
    const { messages } = outcomeOf({ command, application: state, events, listing, at: T0 }, TOPICS);
    // Keyed by the recipient: key and recipientId are returned, so a mismatch shows in the comparison.
    return messages.filter((m) => m.topic === TOPICS.notifications).map((m) => {
      const value = m.value as { recipientId: string; template: string };
      return { key: m.key, recipientId: value.recipientId, template: value.template };
    });
  });
}

const submit = (n: number): Command => ({ ...meta(n), type: 'SubmitApplication', applicantId: OWNER, kind: 'NEW_LISTING', listingId: null, contentType: 'RESTAURANT', details: restaurantDetails() });
const amend = (n: number): Command => ({ ...meta(n), type: 'AmendApplication', applicantId: OWNER, details: restaurantDetails({ name: '본점' }) });
const reviewers = { key: 'review-team-7', recipientId: 'review-team-7', template: 'APPLICATION_AWAITING_REVIEW' };
const toOwner = (template: string) => ({ key: OWNER, recipientId: OWNER, template });

test('an arrival and an amendment go to the configured reviewers; decisions and withdrawals do not', () => {
  expect(notificationsOf([submit(1), amend(2), { ...meta(3), type: 'WithdrawApplication', applicantId: OWNER }])).toEqual([
    [toOwner('APPLICATION_RECEIVED'), reviewers],
    [reviewers],
    [],
  ]);
  expect(notificationsOf([submit(1), { ...meta(2), type: 'RejectApplication', admin: { ok: true, adminId: 'admin' }, reason: '사진 부족' }])[1])
    .toEqual([toOwner('APPLICATION_REJECTED')]);
  expect(notificationsOf([submit(1), { ...meta(2), type: 'ApproveApplication', admin: { ok: true, adminId: 'admin' }, note: null }])[1])
    .toEqual([toOwner('APPLICATION_APPROVED')]);
});

test('a refused amendment tells nobody', () => {
  expect(notificationsOf([submit(1), { ...meta(2), type: 'AmendApplication', applicantId: 'someone-else', details: restaurantDetails() }])[1]).toEqual([]);
});
