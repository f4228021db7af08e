import { isDeepStrictEqual } from 'node:util';
import type { TokenVerifier } from '../../../src/auth/tokens.ts';
import { loadConfig, type Topics } from '../../../src/config.ts';
import { BatchView } from '../../../src/processors/batch-fold.ts';
import type { Application, DomainEvent, Listing } from '../../../src/domain/types.ts';
import { prepare, type CommandRecord, type DecisionClock } from '../../../src/processors/envelope.ts';
import { outcomeOf } from '../../../src/processors/outcome.ts';
import type { Serde } from '../../../src/schemas/serde.ts';
import type { RawRecord } from './topics.ts';

/**
 * The oracle: the command log replayed through the pure decider, one partition at a time in
 * offset order, with the processor's own envelope checks (decoding, ids, token verification)
 * and its own outcome mapping (event ids, audit rows, messages). What it computes is what
 * PostgreSQL and the topics must hold after any number of crashes, outages and rebalances.
 *
 * Per-partition replay is exact because the load keeps every cross-application dependency (a
 * listing and the INFO_CHANGE applications on it, a reused commandId) on one partition.
 */

export interface ExpectedMessage { topic: string; key: string | null }

export interface Expectation {
  /** Records on the command topic. */
  records: number;
  /** commandId -> outcome column of processed_commands ("ACCEPTED" or "REJECTED:<code>"). */
  processed: Map<string, { outcome: string; partition: number; offset: string }>;
  /** Exact redeliveries of a command already seen: must change nothing. */
  redeliveries: number;
  /** Same commandId, other payload: IDEMPOTENCY_KEY_REUSED, never applied. */
  reusedKeys: number;
  /** "<partition>/<offset>" of each record that must be dead-lettered -> error code. */
  deadLetters: Map<string, string>;
  applications: Map<string, Application>;
  listings: Map<string, Listing>;
  /** eventId -> where it must be published. */
  messages: Map<string, ExpectedMessage>;
  /** Per key of the events and listing topics: the eventIds in the order they must appear. */
  sequences: Map<string, string[]>;
  adminActions: { command_id: string; action: string; admin_id: string | null; application_id: string; reason: string | null }[];
  /** application_events rows: eventId -> [commandId, version, type]. */
  history: Map<string, { command_id: string; version: number; type: string }>;
  /** CommandRejected codes, for the summary. */
  rejections: Record<string, number>;
}

const isRejection = (event: DomainEvent): event is Extract<DomainEvent, { type: 'CommandRejected' }> => event.type === 'CommandRejected';

const toCommandRecord = (record: RawRecord): CommandRecord => ({
  partition: record.partition, offset: record.offset, key: record.key, value: record.value, timestamp: record.timestamp, trace: {},
});

/**
 * `clock`: how the processor judges decisions (the record's append time, and the skew allowed);
 * the processor's default when omitted.
 */
export async function replay(log: RawRecord[], deps: { serde: Serde; verifier: TokenVerifier; topics: Topics; clock?: DecisionClock }): Promise<Expectation> {
  const expectation: Expectation = {
    records: log.length, processed: new Map(), redeliveries: 0, reusedKeys: 0, deadLetters: new Map(),
    applications: new Map(), listings: new Map(), messages: new Map(), sequences: new Map(), adminActions: [], history: new Map(), rejections: {},
  };
  const model = new BatchView({ applications: new Map(), listings: new Map(), pendingChanges: new Map(), known: new Map() }, loadConfig({}).REVIEW_CLAIM_MINUTES * 60_000);
  const ordered = [...log].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  for (const record of ordered) {
    const prepared = await prepare(toCommandRecord(record), deps.serde, deps.verifier, deps.clock);
    if (prepared.kind === 'dead-letter') {
      expectation.deadLetters.set(`${record.partition}/${record.offset}`, prepared.code);
      continue;
    }
    const { command, payloadHash } = prepared;
    const at = Number(record.timestamp);
    // The processor's own fold (dedupe, reused keys, pending changes) over the whole log.
    const step = model.fold(command, payloadHash, at);
    if (step.outcome === 'duplicate') {
      expectation.redeliveries += 1;
      continue;
    }
    if (step.outcome === 'reused') expectation.reusedKeys += 1;
    const { decided } = step;
    const outcome = outcomeOf(decided, deps.topics);
    const rejection = decided.events.find(isRejection);
    if (rejection) expectation.rejections[rejection.code] = (expectation.rejections[rejection.code] ?? 0) + 1;
    if (step.outcome === 'decided') {
      expectation.processed.set(command.commandId, {
        outcome: rejection ? `REJECTED:${rejection.code}` : 'ACCEPTED', partition: record.partition, offset: record.offset,
      });
    }
    for (const entry of outcome.events) {
      if (!expectation.history.has(entry.eventId)) expectation.history.set(entry.eventId, { command_id: entry.commandId, version: entry.version, type: entry.event.type });
    }
    for (const action of outcome.adminActions) {
      expectation.adminActions.push({ command_id: action.commandId, action: action.action, admin_id: action.adminId, application_id: action.applicationId, reason: action.reason });
    }
    for (const message of outcome.messages) {
      if (expectation.messages.has(message.eventId)) continue;
      expectation.messages.set(message.eventId, { topic: message.topic, key: message.key });
      if (message.topic === deps.topics.events || Object.values(deps.topics.listings).includes(message.topic)) {
        const name = `${message.topic}/${message.key}`;
        const sequence = expectation.sequences.get(name) ?? [];
        sequence.push(message.eventId);
        expectation.sequences.set(name, sequence);
      }
    }
  }
  for (const [id, application] of model.applications) expectation.applications.set(id, application);
  for (const [id, listing] of model.listings) expectation.listings.set(id, listing);
  return expectation;
}

/** What the database and the topics hold, read after the run. */
export interface Observed {
  processed: { command_id: string; outcome: string; source_partition: number; source_offset: string }[];
  applications: Record<string, any>[];
  listings: Record<string, any>[];
  adminActions: { command_id: string; action: string; admin_id: string | null; application_id: string; reason: string | null }[];
  history: { event_id: string; command_id: string; version: number; type: string }[];
  unpublishedOutbox: number;
  /** Every record of the outcome topics (events, listings, notifications, DLQ). */
  published: RawRecord[];
}

export interface Verdict {
  /** Commands that must have been applied but were not (or not as the oracle says). */
  lost: number;
  /** Commands with more effects than one application: extra versions, audit rows, history rows. */
  appliedTwice: number;
  eventsMissing: number;
  eventsUnexpected: number;
  /** Keys whose events, duplicates dropped, do not appear in the order the oracle gives. */
  eventsOutOfOrder: number;
  /** Published copies beyond the first of an eventId (at-least-once publishing; consumers dedupe). */
  duplicatesPublished: number;
  /** Of those, copies that differ from the first (topic, key or value): consumers could not drop them by eventId. */
  duplicatesDiffering: number;
  dlqCount: number;
  stateMismatches: number;
  auditMismatches: number;
  problems: string[];
}

const applicationFields = (application: Application) => ({
  applicant_id: application.applicantId, kind: application.kind, listing_id: application.listingId, content_type: application.contentType,
  status: application.status, details: application.details, version: application.version, decided_by: application.decidedBy,
  rejection_reason: application.rejectionReason, decision_note: application.decisionNote,
});
const listingFields = (listing: Listing) => ({
  owner_id: listing.ownerId, content_type: listing.contentType, name: listing.name, contact: listing.contact, address: listing.address,
  business_hours: listing.businessHours, source_application_id: listing.sourceApplicationId, version: listing.version,
});
const pickFields = (row: Record<string, any>, fields: object) => Object.fromEntries(Object.keys(fields).map((name) => [name, row[name]]));
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
const sameBytes = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));

export function compare(expected: Expectation, observed: Observed, topics: Topics): Verdict {
  const problems: string[] = [];
  const note = (problem: string) => { if (problems.length < 30) problems.push(problem); };
  let lost = 0;
  let appliedTwice = 0;
  let stateMismatches = 0;

  // Every distinct command exactly once, with the oracle's outcome.
  const processed = new Map(observed.processed.map((row) => [row.command_id, row]));
  for (const [commandId, want] of expected.processed) {
    const row = processed.get(commandId);
    if (!row) { lost += 1; note(`command ${commandId} (${want.partition}/${want.offset}) never applied`); continue; }
    if (row.outcome !== want.outcome) { stateMismatches += 1; note(`command ${commandId}: outcome ${row.outcome}, oracle ${want.outcome}`); }
  }
  for (const row of observed.processed) {
    if (!expected.processed.has(row.command_id)) { appliedTwice += 1; note(`processed_commands holds unexpected ${row.command_id} (${row.outcome})`); }
  }

  // Applications and listings as the oracle's final state.
  const applications = new Map(observed.applications.map((row) => [row.id as string, row]));
  for (const [id, application] of expected.applications) {
    const row = applications.get(id);
    const want = plain(applicationFields(application));
    if (!row) { lost += 1; note(`application ${id} missing`); continue; }
    const got = pickFields(row, want);
    if (!isDeepStrictEqual(got, want)) {
      if (typeof row.version === 'number' && row.version > application.version) appliedTwice += 1;
      else stateMismatches += 1;
      note(`application ${id}: ${JSON.stringify({ status: got.status, version: got.version })}, oracle ${JSON.stringify({ status: want.status, version: want.version })}`);
    }
  }
  for (const id of applications.keys()) if (!expected.applications.has(id)) { stateMismatches += 1; note(`unexpected application ${id}`); }
  const listings = new Map(observed.listings.map((row) => [row.id as string, row]));
  for (const [id, listing] of expected.listings) {
    const row = listings.get(id);
    const want = plain(listingFields(listing));
    if (!row) { lost += 1; note(`listing ${id} missing`); continue; }
    if (!isDeepStrictEqual(pickFields(row, want), want)) {
      if (typeof row.version === 'number' && row.version > listing.version) appliedTwice += 1;
      else stateMismatches += 1;
      note(`listing ${id}: version ${row.version}, oracle ${listing.version}`);
    }
  }
  for (const id of listings.keys()) if (!expected.listings.has(id)) { stateMismatches += 1; note(`unexpected listing ${id}`); }

  // The audit log: exactly the expected decisions, no more, no less.
  const key = (action: Observed['adminActions'][number]) => JSON.stringify([action.command_id, action.action, action.admin_id, action.application_id, action.reason]);
  const wantedActions = new Map<string, number>();
  for (const action of expected.adminActions) wantedActions.set(key(action), (wantedActions.get(key(action)) ?? 0) + 1);
  let auditMismatches = 0;
  const unmatched: Observed['adminActions'] = [];
  for (const action of observed.adminActions) {
    // eslint-disable-next-line honesty/no-default-figure -- an action nobody wanted counts 0 left, so it is reported as unexpected: the default fails
    const left = wantedActions.get(key(action)) ?? 0;
    if (left === 0) unmatched.push(action);
    else wantedActions.set(key(action), left - 1);
  }
  for (const action of unmatched) {
    auditMismatches += 1;
    // A row where the oracle wants another one for the same command differs; a row besides those wanted is one too many.
    const differing = [...wantedActions].find(([wanted, left]) => left > 0 && JSON.parse(wanted)[0] === action.command_id);
    if (differing) {
      wantedActions.set(differing[0], differing[1] - 1);
      note(`audit row ${key(action)}, oracle ${differing[0]}`);
    } else {
      if (expected.adminActions.some((wanted) => wanted.command_id === action.command_id)) appliedTwice += 1;
      note(`unexpected audit row ${key(action)}`);
    }
  }
  for (const [action, left] of wantedActions) if (left > 0) { auditMismatches += left; note(`missing audit row ${action}`); }

  // The history table: each outcome event once.
  const history = new Map(observed.history.map((row) => [row.event_id, row]));
  for (const [eventId, want] of expected.history) {
    const row = history.get(eventId);
    if (!row) { stateMismatches += 1; note(`history row ${eventId} (${want.type}) missing`); continue; }
    if (row.command_id !== want.command_id || row.version !== want.version || row.type !== want.type) { stateMismatches += 1; note(`history row ${eventId} differs`); }
  }
  for (const row of observed.history) if (!expected.history.has(row.event_id)) { appliedTwice += 1; note(`unexpected history row ${row.event_id} ${row.type}`); }
  if (observed.unpublishedOutbox > 0) note(`${observed.unpublishedOutbox} outbox row(s) never published`);

  // The topics: every expected event by eventId, none unexpected, per key in order.
  const firstSeen = new Map<string, RawRecord>();
  let duplicatesPublished = 0;
  let duplicatesDiffering = 0;
  let eventsUnexpected = 0;
  const dlqSeen = new Map<string, string>();
  for (const record of observed.published) {
    if (record.topic === topics.dlq) {
      const origin = `${record.headers['source.partition']}/${record.headers['source.offset']}`;
      if (dlqSeen.has(origin)) duplicatesPublished += 1;
      else dlqSeen.set(origin, record.headers['error.code'] ?? '');
      continue;
    }
    const eventId = record.headers['event-id'];
    if (!eventId) {
      eventsUnexpected += 1;
      // eslint-disable-next-line honesty/no-default-figure -- diagnostic text only
      note(`record without event-id on ${record.topic} ${record.partition}/${record.offset}: key ${JSON.stringify(record.key?.toString('utf8'))}, headers ${JSON.stringify(record.headers)}, ${record.value?.length ?? 0} value bytes ${record.value?.subarray(0, 24).toString('hex')}`);
      continue;
    }
    const first = firstSeen.get(eventId);
    if (first) {
      duplicatesPublished += 1;
      // A copy consumers drop by eventId must be the very same event: topic, key and bytes.
      if (first.topic !== record.topic || !sameBytes(first.key, record.key) || !sameBytes(first.value, record.value)) {
        duplicatesDiffering += 1;
        note(`event ${eventId} published twice with different content: ${first.topic} ${first.partition}/${first.offset} and ${record.topic} ${record.partition}/${record.offset}`);
      }
      continue;
    }
    firstSeen.set(eventId, record);
    const want = expected.messages.get(eventId);
    // eslint-disable-next-line honesty/no-default-figure -- diagnostic text only
    if (!want) { eventsUnexpected += 1; note(`unexpected event ${JSON.stringify(eventId)} on ${record.topic} ${record.partition}/${record.offset}: key ${JSON.stringify(record.key?.toString('utf8'))}, headers ${JSON.stringify(record.headers)}, ${record.value?.length ?? 0} value bytes`); continue; }
    if (want.topic !== record.topic || want.key !== (record.key?.toString('utf8') ?? null)) { eventsUnexpected += 1; note(`event ${eventId} on ${record.topic} key ${record.key}, oracle ${want.topic} key ${want.key}`); }
  }
  let eventsMissing = 0;
  for (const [eventId, want] of expected.messages) {
    if (!firstSeen.has(eventId)) { eventsMissing += 1; note(`event ${eventId} never published on ${want.topic}`); }
  }
  for (const [origin, code] of expected.deadLetters) {
    const seen = dlqSeen.get(origin);
    if (seen === undefined) { eventsMissing += 1; note(`dead letter of ${origin} (${code}) missing`); } else if (seen !== code) { eventsUnexpected += 1; note(`dead letter of ${origin}: ${seen}, oracle ${code}`); }
  }
  for (const origin of dlqSeen.keys()) if (!expected.deadLetters.has(origin)) { eventsUnexpected += 1; note(`unexpected dead letter of ${origin}`); }

  const observedSequences = new Map<string, string[]>();
  for (const record of observed.published) {
    if (record.topic === topics.dlq || record.topic === topics.notifications) continue;
    const eventId = record.headers['event-id'];
    if (!eventId || firstSeen.get(eventId) !== record) continue;
    const name = `${record.topic}/${record.key?.toString('utf8')}`;
    const sequence = observedSequences.get(name) ?? [];
    sequence.push(eventId);
    observedSequences.set(name, sequence);
  }
  let eventsOutOfOrder = 0;
  for (const [name, wanted] of expected.sequences) {
    const got = observedSequences.get(name) ?? [];
    const present = new Set(got);
    const wantedPresent = wanted.filter((eventId) => present.has(eventId));
    const gotWanted = got.filter((eventId) => wanted.includes(eventId));
    if (!isDeepStrictEqual(gotWanted, wantedPresent)) { eventsOutOfOrder += 1; note(`events of ${name} out of order`); }
  }

  return {
    lost, appliedTwice, eventsMissing, eventsUnexpected, eventsOutOfOrder, duplicatesPublished, duplicatesDiffering, dlqCount: dlqSeen.size,
    stateMismatches, auditMismatches, problems,
  };
}
