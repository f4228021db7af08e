import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BatchView, type BatchState } from '../../src/processors/batch-fold.ts';
import { listingIdFor } from '../../src/processors/decider/index.ts';
import type {
  AdminAuth, Application, ApplicationDetails, Command, CommandBody, ContentType, DomainEvent, Listing,
} from '../../src/domain/types.ts';
import { outcomeOf } from '../../src/processors/outcome.ts';
import type { AdminAction } from '../../src/domain/types.ts';
import { detailsFor, infoChangeContact, infoChangeHours, restaurantDetails } from '../fixtures/details.ts';

/**
 * Property-based test of the pure core as the processor runs it: random command sequences,
 * cut into random batches, folded through the processor's own core (one
 * BatchView per batch over what the shell would load for it from the state the previous batches
 * left: dedupe by commandId and payload hash, IDEMPOTENCY_KEY_REUSED, pending changes; outcomeOf
 * for the audit rows). No I/O: the shell's database is modelled by the maps carried from one
 * batch to the next.
 *
 * Small pools of application ids, listings, applicants and admin verdicts make commands collide
 * on purpose: decisions race, INFO_CHANGEs compete for one listing, commandIds are redelivered
 * and reused.
 */

const APPLICATION_IDS = [1, 2, 3, 4, 5, 6].map((n) => `0a000000-0000-4000-8000-00000000000${n}`);
/**
 * NEW_LISTINGs mostly go to the first ids and INFO_CHANGEs to the last, overlapping on one, so
 * that several INFO_CHANGEs can compete for a listing an earlier approval created, and a
 * submission still sometimes lands on a taken id (ALREADY_EXISTS).
 */
const NEW_LISTING_IDS = APPLICATION_IDS.slice(0, 3);
const INFO_CHANGE_IDS = APPLICATION_IDS.slice(2);
/** The listings two of the pool's NEW_LISTINGs create when approved, and one that never exists. */
const LISTING_IDS = [...APPLICATION_IDS.slice(0, 2).map(listingIdFor), '0b000000-0000-4000-8000-00000000dead'];
const APPLICANTS = ['owner-a', 'owner-b'];
const ADMINS: AdminAuth[] = [
  { ok: true, adminId: 'admin-1' },
  { ok: true, adminId: 'admin-2' },
  { ok: false, adminId: 'owner-a', reason: 'role OWNER may not decide' },
  { ok: false, adminId: null, reason: 'token expired at the record\'s append time' },
];
const CONTENT_TYPES: ContentType[] = ['RESTAURANT', 'PERFORMANCE', 'EXHIBITION'];
const AT = Date.parse('2026-01-01T00:00:00Z');
const TOPICS = {
  commands: 'c', events: 'e', notifications: 'n', dlq: 'd', reviewersRecipientId: 'reviewers',
  listings: { RESTAURANT: 'l.r', PERFORMANCE: 'l.p', EXHIBITION: 'l.e' },
} as const;

/**
 * Mostly restaurants: an INFO_CHANGE is only accepted for the listing's own content type, and
 * races between changes of one listing (DUPLICATE_PENDING) need accepted ones.
 */
const contentType = fc.oneof({ weight: 4, arbitrary: fc.constant<ContentType>('RESTAURANT') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) });

const listingDetails = fc.oneof(
  { weight: 5, arbitrary: contentType.map(detailsFor) },
  // Invalid (an empty name): VALIDATION_FAILED must change nothing.
  { weight: 1, arbitrary: fc.constant(restaurantDetails({ name: '' })) },
);
const infoChangeDetails = fc.constantFrom<() => ApplicationDetails>(infoChangeContact, infoChangeHours).map((make) => make());
const anyDetails = fc.oneof(listingDetails, infoChangeDetails);

/** Mostly valid admins, so that decisions happen; the refused ones still come up every few commands. */
const admin = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ADMINS.filter((a) => a.ok)) }, { weight: 1, arbitrary: fc.constantFrom(...ADMINS.filter((a) => !a.ok)) });

/** An application id, or `{ pick }`: the application of an earlier record (so decisions mostly meet one that exists). */
type Target = string | { pick: number };
type Addressed = { applicationId: Target; body: CommandBody };
const to = (ids: string[], body: fc.Arbitrary<CommandBody>): fc.Arbitrary<Addressed> => fc.record({ applicationId: fc.constantFrom(...ids), body });
const toEarlier = (body: fc.Arbitrary<CommandBody>): fc.Arbitrary<Addressed> => fc.record({
  applicationId: fc.oneof({ weight: 3, arbitrary: fc.record({ pick: fc.nat() }) }, { weight: 1, arbitrary: fc.constantFrom(...APPLICATION_IDS) }),
  body,
});

/** Submissions and approvals weigh more: most interesting cases need an approved listing first. */
const addressed: fc.Arbitrary<Addressed> = fc.oneof(
  { weight: 2, arbitrary: to(NEW_LISTING_IDS, fc.record({
    type: fc.constant('SubmitApplication' as const), applicantId: fc.constantFrom(...APPLICANTS), kind: fc.constant('NEW_LISTING' as const),
    listingId: fc.constant(null), contentType: fc.constantFrom(...CONTENT_TYPES), details: listingDetails,
  }).map((submit) => ({ ...submit, contentType: submit.details.type === 'LISTING' ? submit.details.specific.type : submit.contentType }))) },
  { weight: 2, arbitrary: to(INFO_CHANGE_IDS, fc.record({
    type: fc.constant('SubmitApplication' as const), applicantId: fc.constantFrom(...APPLICANTS), kind: fc.constant('INFO_CHANGE' as const),
    listingId: fc.constantFrom(...LISTING_IDS), contentType, details: infoChangeDetails,
  })) },
  { weight: 1, arbitrary: toEarlier(fc.record({ type: fc.constant('AmendApplication' as const), applicantId: fc.constantFrom(...APPLICANTS), details: anyDetails })) },
  { weight: 1, arbitrary: toEarlier(fc.record({ type: fc.constant('WithdrawApplication' as const), applicantId: fc.constantFrom(...APPLICANTS) })) },
  { weight: 3, arbitrary: toEarlier(fc.record({ type: fc.constant('ApproveApplication' as const), admin, note: fc.constantFrom(null, 'looks good') })) },
  { weight: 1, arbitrary: toEarlier(fc.record({ type: fc.constant('RejectApplication' as const), admin, reason: fc.constantFrom('photos missing', '   ') })) },
);

/** What arrives on the topic: a new command, a redelivery of an earlier record, or an earlier commandId on another command. */
type Step =
  | { kind: 'fresh'; applicationId: Target; body: CommandBody }
  | { kind: 'redeliver'; pick: number }
  | { kind: 'reuse'; pick: number; applicationId: Target; body: CommandBody };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: addressed.map((a) => ({ kind: 'fresh' as const, ...a })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ pick: fc.nat(), a: addressed }).map(({ pick, a }) => ({ kind: 'reuse' as const, pick, ...a })) },
);

/** The records in topic order: commandIds assigned by position, redeliveries carry the very same record. */
function records(steps: Step[]): Command[] {
  const sent: Command[] = [];
  const resolve = (target: Target) =>
    typeof target === 'string' ? target : sent.length > 0 ? sent[target.pick % sent.length]!.applicationId : APPLICATION_IDS[0]!;
  steps.forEach((s, index) => {
    const commandId = `0c000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
    if (s.kind === 'fresh') sent.push({ commandId, applicationId: resolve(s.applicationId), issuedAt: AT, ...s.body } as Command);
    else if (sent.length > 0) {
      const earlier = sent[s.pick % sent.length]!;
      sent.push(s.kind === 'redeliver' ? earlier : { commandId: earlier.commandId, applicationId: resolve(s.applicationId), issuedAt: AT, ...s.body } as Command);
    }
  });
  return sent;
}

/** The shell hashes the decoded record; any function of the whole command tells payloads apart the same way. */
const payloadHash = (command: Command) => createHash('sha256').update(JSON.stringify(command)).digest('hex');

/** What the database holds between batches; `pendingChanges` is the index the views kept. */
interface Stored {
  applications: Map<string, Application>;
  listings: Map<string, Listing>;
  pendingChanges: Map<string, string>;
  known: Map<string, string>;
}

interface Delivery {
  command: Command;
  outcome: 'decided' | 'reused' | 'duplicate';
  before: Application | null;
  after: Application | null;
  events: DomainEvent[];
  audit: AdminAction[];
  /** PENDING INFO_CHANGE applications per listing right after this delivery, over the whole database. */
  pendingPerListing: Map<string, number>;
}

/**
 * What load_batch returns for `batch`, and nothing more: its applications, the listings its
 * submits name or those applications hold, the PENDING INFO_CHANGEs of those listings (from the
 * applications table, as the database derives them), and which of its commandIds are known.
 * Handing a batch the whole database would let a fold that needs an unloaded row pass.
 */
function load(stored: Stored, batch: Command[]): BatchState & { listingIds: Set<string> } {
  const applications = new Map<string, Application>();
  for (const { applicationId } of batch) {
    const application = stored.applications.get(applicationId);
    if (application) applications.set(applicationId, application);
  }
  const listingIds = new Set<string>();
  for (const command of batch) if (command.type === 'SubmitApplication' && command.listingId) listingIds.add(command.listingId);
  for (const application of applications.values()) if (application.listingId !== null) listingIds.add(application.listingId);
  const listings = new Map<string, Listing>();
  for (const id of listingIds) {
    const listing = stored.listings.get(id);
    if (listing) listings.set(id, listing);
  }
  const pendingChanges = new Map<string, string>();
  for (const application of stored.applications.values()) {
    if (application.kind === 'INFO_CHANGE' && application.status === 'PENDING' && listingIds.has(application.listingId!)) pendingChanges.set(application.listingId!, application.id);
  }
  const known = new Map<string, string>();
  for (const { commandId } of batch) {
    const hash = stored.known.get(commandId);
    if (hash !== undefined) known.set(commandId, hash);
  }
  return { applications, listings, pendingChanges, known, listingIds };
}

/**
 * applyBatch without the database: each batch folds over what load() gives it, and only what
 * it changed is written back, as writeBatch does.
 */
function fold(sent: Command[], cuts: number[]): { stored: Stored; deliveries: Delivery[] } {
  const stored: Stored = { applications: new Map(), listings: new Map(), pendingChanges: new Map(), known: new Map() };
  const deliveries: Delivery[] = [];
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % (sent.length + 1)), sent.length])].sort((a, b) => a - b);
  for (let b = 0; b + 1 < bounds.length; b++) {
    const batch = sent.slice(bounds[b], bounds[b + 1]);
    const { listingIds, ...loaded } = load(stored, batch);
    const view = new BatchView(loaded, 15 * 60_000);
    for (const command of batch) {
      const before = view.applications.get(command.applicationId) ?? null;
      const step = view.fold(command, payloadHash(command), AT);
      const after = view.applications.get(command.applicationId) ?? null;
      const delivery: Omit<Delivery, 'pendingPerListing'> = step.outcome === 'duplicate'
        ? { command, outcome: 'duplicate', before, after, events: [], audit: [] }
        : { command, outcome: step.outcome, before, after, events: step.decided.events, audit: outcomeOf(step.decided, TOPICS).adminActions };
      const pendingPerListing = new Map<string, number>();
      for (const application of new Map([...stored.applications, ...view.applications]).values()) {
        if (application.kind === 'INFO_CHANGE' && application.status === 'PENDING') {
          pendingPerListing.set(application.listingId!, (pendingPerListing.get(application.listingId!) ?? 0) + 1);
        }
      }
      deliveries.push({ ...delivery, pendingPerListing });
    }
    // The transaction commits what the batch changed.
    for (const id of view.changedApplications) stored.applications.set(id, view.applications.get(id)!);
    for (const id of view.changedListings) stored.listings.set(id, view.listings.get(id)!);
    for (const [commandId, hash] of view.known) stored.known.set(commandId, hash);
    for (const id of new Set([...listingIds, ...view.pendingChanges.keys()])) {
      const pending = view.pendingChanges.get(id);
      if (pending === undefined) stored.pendingChanges.delete(id);
      else stored.pendingChanges.set(id, pending);
    }
  }
  return { stored, deliveries };
}

const accepted = (events: DomainEvent[]) => events.length > 0 && events.every((event) => event.type !== 'CommandRejected');
const isDecision = (command: Command): command is Extract<Command, { type: 'ApproveApplication' | 'RejectApplication' }> =>
  command.type === 'ApproveApplication' || command.type === 'RejectApplication';

const scenario = fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }), cuts: fc.array(fc.nat(), { maxLength: 6 }) });
const RUNS = { numRuns: 300 };

test('one outcome per distinct commandId: redeliveries add none, a reused commandId gets IDEMPOTENCY_KEY_REUSED and changes nothing', () => {
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    const sent = records(steps);
    const { deliveries } = fold(sent, cuts);
    const firstHash = new Map<string, string>();
    for (const delivery of deliveries) {
      const { command } = delivery;
      const hash = payloadHash(command);
      const first = firstHash.get(command.commandId);
      if (first === undefined) {
        firstHash.set(command.commandId, hash);
        expect(delivery.outcome).toBe('decided');
        // The decider answers every command with exactly one event: the change or the refusal.
        expect(delivery.events).toHaveLength(1);
      } else if (first === hash) {
        expect(delivery.outcome).toBe('duplicate');
        expect(delivery.events).toEqual([]);
        expect(delivery.after).toBe(delivery.before);
      } else {
        expect(delivery.outcome).toBe('reused');
        expect(delivery.events).toEqual([expect.objectContaining({ type: 'CommandRejected', code: 'IDEMPOTENCY_KEY_REUSED' })]);
        expect(delivery.after).toBe(delivery.before);
      }
    }
    const decided = deliveries.filter((delivery) => delivery.outcome === 'decided').map((delivery) => delivery.command.commandId);
    expect(decided.sort()).toEqual([...new Set(sent.map((command) => command.commandId))].sort());
  }), RUNS);
});

test('version grows by one per accepted change and not at all otherwise', () => {
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    const { deliveries, stored } = fold(records(steps), cuts);
    const changes = new Map<string, number>();
    for (const { before, after, events } of deliveries) {
      if (accepted(events)) {
        // eslint-disable-next-line honesty/no-default-figure -- no application before: its first accepted change makes version 1
        expect(after!.version).toBe((before?.version ?? 0) + 1);
        changes.set(after!.id, (changes.get(after!.id) ?? 0) + 1);
      } else {
        expect(after).toBe(before);
      }
    }
    // And the stored version counts exactly the accepted changes of each application.
    for (const application of stored.applications.values()) expect(application.version).toBe(changes.get(application.id));
  }), RUNS);
});

test('only PENDING moves: amend, withdraw, approve and reject change a PENDING application and nothing else', () => {
  // Every check below is on a case the run may not meet.
  expect.hasAssertions();
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    for (const { command, before, after, events } of fold(records(steps), cuts).deliveries) {
      if (command.type === 'SubmitApplication') {
        if (accepted(events)) expect(before).toBeNull();
        continue;
      }
      if (accepted(events)) expect(before?.status).toBe('PENDING');
      if (before !== null && before.status !== 'PENDING') {
        expect(after).toBe(before);
        const [event] = events;
        if (event) expect(event.type).toBe('CommandRejected');
      }
    }
  }), RUNS);
});

test('at most one PENDING INFO_CHANGE per listing, after every command', () => {
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    const { deliveries, stored } = fold(records(steps), cuts);
    for (const { pendingPerListing } of deliveries) {
      for (const count of pendingPerListing.values()) expect(count).toBeLessThanOrEqual(1);
    }
    // The index the shell keeps (and the database enforces) names exactly those applications.
    const pending = [...stored.applications.values()].filter((a) => a.kind === 'INFO_CHANGE' && a.status === 'PENDING');
    expect(new Map(pending.map((a) => [a.listingId!, a.id]))).toEqual(stored.pendingChanges);
  }), RUNS);
});

test('the audit log has exactly the decisions: APPROVE and REJECT for those that decided, DENIED for every refused admin', () => {
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    const { deliveries, stored } = fold(records(steps), cuts);
    for (const { command, outcome, before, after, audit } of deliveries) {
      if (outcome !== 'decided' || !isDecision(command)) {
        // eslint-disable-next-line honesty/guarded-expect -- every delivery takes this branch or one of the three below, and each asserts
        expect(audit).toEqual([]);
        continue;
      }
      if (!command.admin.ok) {
        // Refused before anything else is looked at: even a decision on no application is recorded.
        expect(audit.map((row) => [row.action, row.adminId, row.commandId])).toEqual([['DENIED', command.admin.adminId, command.commandId]]);
        expect(after).toBe(before);
      } else if (after !== before) {
        // It reached an existing PENDING application and decided it.
        const action = command.type === 'ApproveApplication' ? 'APPROVE' : 'REJECT';
        expect(before?.status).toBe('PENDING');
        expect(after!.status).toBe(action === 'APPROVE' ? 'APPROVED' : 'REJECTED');
        expect(after!.decidedBy).toBe(command.admin.adminId);
        expect(audit.map((row) => [row.action, row.adminId, row.applicationId, row.commandId]))
          .toEqual([[action, command.admin.adminId, command.applicationId, command.commandId]]);
      } else {
        expect(audit).toEqual([]);
      }
    }
    // Every decided application has its one APPROVE or REJECT row, and no row names another.
    const decisions = deliveries.flatMap((d) => d.audit).filter((row) => row.action !== 'DENIED');
    const decidedApplications = [...stored.applications.values()].filter((a) => a.status === 'APPROVED' || a.status === 'REJECTED');
    expect(decisions.map((row) => row.applicationId).sort()).toEqual(decidedApplications.map((a) => a.id).sort());
  }), RUNS);
});

test('the outcome does not depend on how the records were cut into batches', () => {
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    const sent = records(steps);
    const whole = fold(sent, []);
    const cut = fold(sent, cuts);
    expect(cut.deliveries.map((d) => [d.outcome, d.events])).toEqual(whole.deliveries.map((d) => [d.outcome, d.events]));
    expect(cut.stored.applications).toEqual(whole.stored.applications);
    expect(cut.stored.listings).toEqual(whole.stored.listings);
  }), RUNS);
});

test('the generated sequences reach the interesting cases', () => {
  // Guards the generators: a property that never meets a race or a reused key proves nothing.
  const seen = new Set<string>();
  fc.assert(fc.property(scenario, ({ steps, cuts }) => {
    for (const { outcome, events, command } of fold(records(steps), cuts).deliveries) {
      seen.add(outcome);
      for (const event of events) {
        const kind = event.type === 'ApplicationApproved' ? `:${event.application.kind}` : '';
        seen.add(event.type === 'CommandRejected' ? event.code : `${command.type}:${event.type}${kind}`);
      }
    }
  }), { ...RUNS, seed: 1 });
  for (const expected of ['duplicate', 'reused', 'NOT_PENDING', 'DUPLICATE_PENDING', 'FORBIDDEN', 'NOT_FOUND', 'LISTING_NOT_FOUND',
    'VALIDATION_FAILED', 'REASON_REQUIRED', 'ALREADY_EXISTS', 'IDEMPOTENCY_KEY_REUSED',
    'SubmitApplication:ApplicationSubmitted', 'AmendApplication:ApplicationAmended', 'WithdrawApplication:ApplicationWithdrawn',
    'ApproveApplication:ApplicationApproved:NEW_LISTING', 'ApproveApplication:ApplicationApproved:INFO_CHANGE', 'RejectApplication:ApplicationRejected']) {
    expect(seen).toContain(expected);
  }
});
