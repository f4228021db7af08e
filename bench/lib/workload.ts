import { randomUUID } from 'node:crypto';
import type { CommandInput } from '../../src/client/command-sender.ts';
import type { Topics } from '../../src/config.ts';
import type { ApplicationStatus, ContentType } from '../../src/domain/types.ts';
import { CONTENT_TYPES } from '../../src/domain/values.ts';
import { NO_SPECIFIC_CHANGE } from '../../src/processors/decider/index.ts';
import { detailsFor } from '../../test/fixtures/details.ts';
// The fault suites' seeded generator: a run's mix is the same every time for the same seed.
import { random as seededRandom } from '../../test/support/fault/load.ts';

/**
 * The mixed command stream of the bench: whole application stories (submit, then decisions),
 * interleaved so that an application's commands are spread out but stay in order (they share a
 * key, hence a partition). Every command carries what it must leave behind, so a run knows how
 * many outcome messages to wait for, and what state each application ends in, without trusting
 * the implementation under test.
 */

export interface Expect {
  /** ApplicationEvent records (one per command that decodes and is not a duplicate). */
  events: number;
  notifications: number;
  listings: number;
  dlq: number;
  /** admin_action_log rows. */
  audit: number;
  /** processed_commands rows. */
  processed: number;
}

export interface PlannedCommand {
  applicationId: string;
  /** The command id of a decodable command (what the outcome event will name). */
  commandId: string | null;
  input: CommandInput | null;
  /** Bytes that do not decode, sent as they are. */
  raw: Buffer | null;
  story: string;
  /** The story's content type: the listings topic its approval lands on. */
  contentType: ContentType;
  expect: Expect;
  /**
   * The status an accepted change leaves the application in; null when the command changes
   * nothing (refused, a duplicate, bytes that do not decode). Every accepted change bumps the
   * version by one (design §2.2), so the final version is the count of non-null ones.
   */
  becomes: ApplicationStatus | null;
}

export interface Tokens {
  masters: string[];
  owner: string;
}

const NONE: Expect = { events: 0, notifications: 0, listings: 0, dlq: 0, audit: 0, processed: 0 };
const expect = (overrides: Partial<Expect>): Expect => ({ ...NONE, ...overrides });
interface Outcome { expect: Expect; becomes: ApplicationStatus | null }
const outcome = (becomes: ApplicationStatus | null, overrides: Partial<Expect>): Outcome => ({ expect: expect(overrides), becomes });
const REJECTED = outcome(null, { events: 1, processed: 1 });
// Submitted and amended: the reviewers are told (APPLICATION_AWAITING_REVIEW), the applicant on submission.
const SUBMITTED = outcome('PENDING', { events: 1, notifications: 2, processed: 1 });
const APPROVED = outcome('APPROVED', { events: 1, notifications: 1, listings: 1, audit: 1, processed: 1 });
const DECLINED = outcome('REJECTED', { events: 1, notifications: 1, audit: 1, processed: 1 });
const DENIED = outcome(null, { events: 1, audit: 1, processed: 1 });
const AMENDED = outcome('PENDING', { events: 1, notifications: 1, processed: 1 });
const WITHDRAWN = outcome('WITHDRAWN', { events: 1, processed: 1 });

/** Valid details named after their application, so that a name search (the read API phase's) finds one or two rows, not a third of them. */
const detailsOf = (contentType: ContentType, applicationId: string) => {
  const details = detailsFor(contentType);
  return { ...details, name: `${details.name} ${applicationId.slice(0, 8)}` };
};

type StoryCommand = Omit<PlannedCommand, 'contentType'>;
type Story = (ctx: { random: () => number; tokens: Tokens; applicantId: string; contentType: ContentType; now: number }) => StoryCommand[];

const command = (story: string, applicationId: string, input: CommandInput, { expect: leaves, becomes }: Outcome, issuedAt: number): StoryCommand => {
  const commandId = randomUUID();
  return { applicationId, commandId, input: { ...input, commandId, issuedAt } as CommandInput, raw: null, story, expect: leaves, becomes };
};

/** Weights sum to 100; the comment is each story's commands and outcome messages. */
const STORIES: [number, string, Story][] = [
  // 2 commands, 5 messages
  [28, 'approve', ({ random, tokens, applicantId, contentType, now }) => {
    const id = randomUUID();
    const admin = tokens.masters[Math.floor(random() * tokens.masters.length)]!;
    return [
      command('approve', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now),
      command('approve', id, { type: 'ApproveApplication', applicationId: id, adminToken: admin, note: random() < 0.5 ? null : '서류 확인 완료' }, APPROVED, now),
    ];
  }],
  // 3 commands, 5 messages
  [14, 'amend-reject', ({ tokens, applicantId, contentType, now }) => {
    const id = randomUUID();
    const amended = detailsOf(contentType, id);
    amended.description = '수정된 소개글입니다. 영업시간과 연락처를 다시 확인했습니다.';
    return [
      command('amend-reject', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now),
      command('amend-reject', id, { type: 'AmendApplication', applicationId: id, applicantId, details: amended }, AMENDED, now),
      command('amend-reject', id, { type: 'RejectApplication', applicationId: id, adminToken: tokens.masters[0]!, reason: '사업자 등록증의 상호와 신청서의 상호가 다릅니다.' }, DECLINED, now),
    ];
  }],
  // 2 commands, 3 messages
  [10, 'withdraw', ({ applicantId, contentType, now }) => {
    const id = randomUUID();
    return [
      command('withdraw', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now),
      command('withdraw', id, { type: 'WithdrawApplication', applicationId: id, applicantId }, WITHDRAWN, now),
    ];
  }],
  // 3 commands, 6 messages: an OWNER token tries to approve (FORBIDDEN, audited DENIED), then a MASTER does
  [7, 'forbidden-then-approve', ({ tokens, applicantId, contentType, now }) => {
    const id = randomUUID();
    return [
      command('forbidden-then-approve', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now),
      command('forbidden-then-approve', id, { type: 'ApproveApplication', applicationId: id, adminToken: tokens.owner, note: null }, DENIED, now),
      command('forbidden-then-approve', id, { type: 'ApproveApplication', applicationId: id, adminToken: tokens.masters[1]!, note: null }, APPROVED, now),
    ];
  }],
  // 3 commands, 5 messages: a blank reason is refused (REASON_REQUIRED), then a real one
  [5, 'reason-required', ({ tokens, applicantId, contentType, now }) => {
    const id = randomUUID();
    return [
      command('reason-required', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now),
      command('reason-required', id, { type: 'RejectApplication', applicationId: id, adminToken: tokens.masters[2]!, reason: '   ' }, REJECTED, now),
      command('reason-required', id, { type: 'RejectApplication', applicationId: id, adminToken: tokens.masters[2]!, reason: '사진이 누락되었습니다.' }, DECLINED, now),
    ];
  }],
  // 3 commands, 6 messages: two decisions race, the second gets NOT_PENDING
  [6, 'race', ({ tokens, applicantId, contentType, now }) => {
    const id = randomUUID();
    return [
      command('race', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now),
      command('race', id, { type: 'ApproveApplication', applicationId: id, adminToken: tokens.masters[0]!, note: null }, APPROVED, now),
      command('race', id, { type: 'RejectApplication', applicationId: id, adminToken: tokens.masters[1]!, reason: '늦은 반려' }, REJECTED, now),
    ];
  }],
  // 2 commands, 2 messages: invalid details (VALIDATION_FAILED), then an approval of what does not exist (NOT_FOUND)
  [8, 'invalid', ({ tokens, applicantId, contentType, now }) => {
    const id = randomUUID();
    const details = detailsOf(contentType, id);
    if (details.type === 'LISTING') details.contact = { phone: 'call me', email: 'not-an-email' };
    return [
      command('invalid', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details }, REJECTED, now),
      command('invalid', id, { type: 'ApproveApplication', applicationId: id, adminToken: tokens.masters[0]!, note: null }, REJECTED, now),
    ];
  }],
  // 1 command, 1 message: an INFO_CHANGE for a listing that does not exist (LISTING_NOT_FOUND)
  [3, 'info-change-unknown-listing', ({ applicantId, contentType, now }) => {
    const id = randomUUID();
    return [command('info-change-unknown-listing', id, {
      type: 'SubmitApplication', applicationId: id, applicantId, kind: 'INFO_CHANGE', listingId: randomUUID(), contentType,
      details: { type: 'INFO_CHANGE', contact: { phone: '+82-2-987-6543', email: 'new@example.co.kr' }, address: null, businessHours: null, ...NO_SPECIFIC_CHANGE },
    }, REJECTED, now)];
  }],
  // 1 command, 2 messages: stays PENDING (the read API's PENDING list has rows)
  [14, 'pending', ({ applicantId, contentType, now }) => {
    const id = randomUUID();
    return [command('pending', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now)];
  }],
  // 2 commands, 2 messages: the producer retried, the same command arrives twice (a duplicate, no outcome)
  [3, 'redelivered', ({ applicantId, contentType, now }) => {
    const id = randomUUID();
    const first = command('redelivered', id, { type: 'SubmitApplication', applicationId: id, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsOf(contentType, id) }, SUBMITTED, now);
    return [first, { ...first, expect: NONE, becomes: null }];
  }],
  // 1 record, 1 DLQ message: bytes that are not the Confluent wire format
  [2, 'garbage', ({ now }) => {
    const id = randomUUID();
    return [{ applicationId: id, commandId: null, input: null, raw: Buffer.from(JSON.stringify({ applicationId: id, at: now })), story: 'garbage', expect: expect({ dlq: 1 }), becomes: null }];
  }],
];

/**
 * `count` commands from whole stories, interleaved over `window` open stories; the last story
 * may be cut short (its remaining commands are simply never sent).
 */
export function plan(count: number, tokens: Tokens, seed: number, window = 64): PlannedCommand[] {
  const random = seededRandom(seed);
  const totalWeight = STORIES.reduce((sum, [weight]) => sum + weight, 0);
  const applicants = Array.from({ length: 2000 }, (_, index) => `owner-${String(index).padStart(5, '0')}`);
  const nextStory = (): PlannedCommand[] => {
    let pick = random() * totalWeight;
    const entry = STORIES.find(([weight]) => (pick -= weight) < 0) ?? STORIES[0]!;
    const applicantId = applicants[Math.floor(random() * applicants.length)]!;
    const contentType = CONTENT_TYPES[Math.floor(random() * CONTENT_TYPES.length)]!;
    return entry[2]({ random, tokens, applicantId, contentType, now: Date.now() }).map((planned) => ({ ...planned, contentType }));
  };
  const open: PlannedCommand[][] = [];
  const result: PlannedCommand[] = [];
  while (result.length < count) {
    while (open.length < window) open.push(nextStory());
    const index = Math.floor(random() * open.length);
    const story = open[index]!;
    result.push(story.shift()!);
    if (story.length === 0) open.splice(index, 1);
  }
  return result;
}

export function totals(commands: PlannedCommand[]): Expect & { messages: number } {
  const sum = { ...NONE };
  for (const { expect: e } of commands) {
    for (const key of Object.keys(sum) as (keyof Expect)[]) sum[key] += e[key];
  }
  return { ...sum, messages: sum.events + sum.notifications + sum.listings + sum.dlq };
}

/** Outcome messages per output topic: the listings of an approval go to its content type's topic. */
export function topicTotals(commands: PlannedCommand[], topics: Topics, into = new Map<string, number>()): Map<string, number> {
  const add = (topic: string, count: number) => into.set(topic, (into.get(topic) ?? 0) + count);
  for (const topic of [topics.events, topics.notifications, topics.dlq, ...Object.values(topics.listings)]) add(topic, 0);
  for (const { expect: e, contentType } of commands) {
    add(topics.events, e.events);
    add(topics.notifications, e.notifications);
    add(topics.dlq, e.dlq);
    add(topics.listings[contentType], e.listings);
  }
  return into;
}

/** What an application's row must say once every planned command is applied; null: no row at all. */
export type FinalState = { status: ApplicationStatus; version: number } | null;

/** The final state of every application of the plan, from what each command intends (plan order is per-application order). */
export function finalStates(commands: PlannedCommand[]): Map<string, FinalState> {
  const states = new Map<string, FinalState>();
  for (const { applicationId, becomes } of commands) {
    const state = states.get(applicationId) ?? null;
    states.set(applicationId, becomes === null ? state : { status: becomes, version: (state?.version ?? 0) + 1 });
  }
  return states;
}
