import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Topics } from '../../../src/config.ts';
import type { LoadRecord, LoadSpec, TokenFacts } from './load.ts';
import type { Observed } from './oracle.ts';
import type { RawRecord } from './topics.ts';

/**
 * The second oracle of the fault suites, written apart from the processor: it never decodes a
 * command, never calls the decider, the fold or the outcome mapping. It reads what the load
 * generator recorded of each record (the command as sent, its token's facts, whether its details
 * are valid, or the dead letter it is) and runs a small model of the design's rules (RULES below,
 * from docs' design §2 and §3) over the command log as the broker holds it, one partition at a
 * time in offset order. What it predicts (outcome codes, the records each topic gets, the final
 * status and version of each application and listing, the audit rows) is then compared with
 * what PostgreSQL and the topics hold.
 *
 * The replay oracle (oracle.ts) finds persistence and delivery faults exactly, byte for byte; this
 * one also finds a rule bug, which the replay, sharing the rules, cannot.
 */

// ---------------------------------------------------------------------------------------------
// The model's state: what a reader of the design needs to know of an application and a listing.

interface ModelApplication {
  id: string;
  applicantId: string;
  kind: 'NEW_LISTING' | 'INFO_CHANGE';
  listingId: string | null;
  contentType: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN';
  version: number;
  details: Record<string, unknown>;
  decidedBy: string | null;
  rejectionReason: string | null;
  decisionNote: string | null;
}

interface ModelListing {
  id: string;
  ownerId: string;
  contentType: string;
  name: unknown;
  contact: unknown;
  address: unknown;
  businessHours: unknown;
  sourceApplicationId: string;
  version: number;
}

type Command = Extract<LoadSpec, { kind: 'command' }>['command'];
type Admin = { ok: true; adminId: string } | { ok: false; adminId: string | null };

interface Situation {
  command: Command;
  app: ModelApplication | undefined;
  /** The listing an INFO_CHANGE names (submit) or belongs to (decisions). */
  listing: ModelListing | undefined;
  /** The PENDING INFO_CHANGE of that listing, if another application holds it. */
  otherPendingChange: string | undefined;
  detailsValid: boolean;
  admin: Admin | null;
}

type Code = 'NOT_FOUND' | 'ALREADY_EXISTS' | 'NOT_PENDING' | 'REASON_REQUIRED' | 'FORBIDDEN' | 'VALIDATION_FAILED' | 'DUPLICATE_PENDING' | 'LISTING_NOT_FOUND';

/**
 * The rules, per command: refusals checked in this order (the first that holds is the outcome),
 * else the command is accepted. Authorisation comes before existence for decisions (a non-admin
 * learns nothing), ownership before status for the applicant's own commands.
 */
const ADMIN_ON_PENDING: [Code, (s: Situation) => boolean][] = [
  ['FORBIDDEN', (s) => !s.admin!.ok],
  ['NOT_FOUND', (s) => s.app === undefined],
  ['NOT_PENDING', (s) => s.app!.status !== 'PENDING'],
];

const RULES: Record<Command['type'], [Code, (s: Situation) => boolean][]> = {
  SubmitApplication: [
    ['ALREADY_EXISTS', (s) => s.app !== undefined],
    ['VALIDATION_FAILED', (s) => !s.detailsValid],
    ['LISTING_NOT_FOUND', (s) => isInfoChange(s.command) && s.listing === undefined],
    ['FORBIDDEN', (s) => isInfoChange(s.command) && s.listing!.ownerId !== applicantOf(s.command)],
    ['VALIDATION_FAILED', (s) => isInfoChange(s.command) && s.listing!.contentType !== (s.command as Submit).contentType],
    ['DUPLICATE_PENDING', (s) => isInfoChange(s.command) && s.otherPendingChange !== undefined],
  ],
  AmendApplication: [
    ['NOT_FOUND', (s) => s.app === undefined],
    ['FORBIDDEN', (s) => s.app!.applicantId !== applicantOf(s.command)],
    ['NOT_PENDING', (s) => s.app!.status !== 'PENDING'],
    ['VALIDATION_FAILED', (s) => !s.detailsValid],
  ],
  WithdrawApplication: [
    ['NOT_FOUND', (s) => s.app === undefined],
    ['FORBIDDEN', (s) => s.app!.applicantId !== applicantOf(s.command)],
    ['NOT_PENDING', (s) => s.app!.status !== 'PENDING'],
  ],
  ApproveApplication: [
    ['FORBIDDEN', (s) => !s.admin!.ok],
    ['NOT_FOUND', (s) => s.app === undefined],
    ['NOT_PENDING', (s) => s.app!.status !== 'PENDING'],
    ['LISTING_NOT_FOUND', (s) => s.app!.kind === 'INFO_CHANGE' && s.listing === undefined],
  ],
  RejectApplication: [
    ['FORBIDDEN', (s) => !s.admin!.ok],
    ['NOT_FOUND', (s) => s.app === undefined],
    ['NOT_PENDING', (s) => s.app!.status !== 'PENDING'],
    ['REASON_REQUIRED', (s) => { const reason = (s.command as Reject).reason.trim(); return reason.length === 0 || [...reason].length > 1000; }],
  ],
  // The load sends no review commands (test/console/review-team.test.ts and test/http/review-claims.test.ts
  // cover them), so no application is ever claimed and the decisions above never meet CLAIMED_BY_OTHER.
  ClaimReview: ADMIN_ON_PENDING,
  ReleaseReview: ADMIN_ON_PENDING,
  AddReviewerNote: [
    ['FORBIDDEN', (s) => !s.admin!.ok],
    ['NOT_FOUND', (s) => s.app === undefined],
  ],
};

type Submit = Extract<Command, { type: 'SubmitApplication' }>;
type Reject = Extract<Command, { type: 'RejectApplication' }>;
const isInfoChange = (command: Command) => command.type === 'SubmitApplication' && command.kind === 'INFO_CHANGE';
const applicantOf = (command: Command) => ('applicantId' in command ? command.applicantId : null);

/**
 * The admin a decision's token names, judged at the record's append time (design §2.5): issuedAt
 * within the skew of it, the token unexpired then, the MASTER role. Who a refused token names is
 * known only when the token itself holds (a wrong role); an expired token or a skewed issuedAt
 * names no one.
 */
function judgeAdmin(command: Command, token: TokenFacts | null, appendedAt: number, skewMs: number): Admin {
  if (token === null) return { ok: false, adminId: null };
  if (Math.abs(command.issuedAt - appendedAt) > skewMs) return { ok: false, adminId: null };
  if (Math.floor(appendedAt / 1000) >= token.expiresAt) return { ok: false, adminId: null };
  if (token.role !== 'MASTER') return { ok: false, adminId: token.subject };
  return { ok: true, adminId: token.subject };
}

// ---------------------------------------------------------------------------------------------
// What the model predicts.

export interface IntentExpectation {
  /** Log records the model could not attribute to a load record (should be none). */
  problems: string[];
  /** commandId -> processed_commands.outcome of its first delivery ("ACCEPTED" or "REJECTED:<code>"). */
  processed: Map<string, string>;
  /** commandId -> its outcome events on the events topic, as "<type>[:<code>]@v<version>", sorted. */
  events: Map<string, string[]>;
  /** applicationId -> the commandIds of its outcome events, in the order they must be published. */
  eventOrder: Map<string, string[]>;
  /** applicationId of each approval -> its one listing record. */
  listingRecords: Map<string, { topic: string; key: string; version: number; type: 'ListingPublished' | 'ListingInfoChanged' }>;
  /** "<applicationId>/<template>" -> recipient and reason of the one notification. */
  /** By `<applicationId>/<template>`: the reviewers hear of each arrival and each amendment, so a name may repeat. */
  notifications: Map<string, { recipient: string; reason: string | null; copies: number }>;
  /** "<partition>/<offset>" -> dead-letter code. */
  deadLetters: Map<string, string>;
  applications: Map<string, ModelApplication>;
  listings: Map<string, ModelListing>;
  /** commandId -> its one audit row; reason `true` means "some text" (a DENIED row's explanation). */
  audit: Map<string, { action: 'APPROVE' | 'REJECT' | 'DENIED'; adminId: string | null; applicationId: string; reason: string | null | true }>;
  /** Outcomes by code (ACCEPTED, the refusal codes, duplicate, reused, dead letters), for the summary. */
  counts: Record<string, number>;
}

/**
 * The listing id an approved NEW_LISTING creates: a name-based UUID (RFC 9562 version 5) of the
 * application id, in a namespace fixed forever, so a replayed approval names the same listing.
 * Computed here from the RFC, not by the processor's code.
 */
export const LISTING_NAMESPACE = '7f7ef740-dff6-4b4d-91b2-56255c2145a1';
export function listingIdOf(applicationId: string): string {
  const bytes = createHash('sha1').update(Buffer.from(LISTING_NAMESPACE.replaceAll('-', ''), 'hex')).update(applicationId, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const identity = (key: Buffer | string | null, value: Buffer | null) =>
  `${key === null ? '-' : Buffer.from(key).toString('hex')}|${value === null ? '-' : value.toString('hex')}`;

/**
 * Runs the model over `log` (the command topic as the broker holds it: records the producer sent
 * twice, or never got onto it, included), attributing each record to the load record with the
 * same bytes. `skewMs`: the decision clock's allowed skew (DECISION_MAX_SKEW_SECONDS).
 */
export function expectIntents(log: RawRecord[], load: LoadRecord[], options: { topics: Topics; skewMs: number }): IntentExpectation {
  const specs = new Map<string, LoadSpec>();
  for (const record of load) specs.set(identity(record.key, record.value), record.spec);
  const expectation: IntentExpectation = {
    problems: [], processed: new Map(), events: new Map(), eventOrder: new Map(), listingRecords: new Map(), notifications: new Map(),
    deadLetters: new Map(), applications: new Map(), listings: new Map(), audit: new Map(), counts: {},
  };
  const count = (what: string) => { expectation.counts[what] = (expectation.counts[what] ?? 0) + 1; };
  const apps = expectation.applications;
  const listings = expectation.listings;
  /** listingId -> the application holding its one PENDING INFO_CHANGE. */
  const pendingChange = new Map<string, string>();
  /** commandId -> the bytes it was first applied with, and the other payloads it was reused with. */
  const seen = new Map<string, { first: string; reused: Set<string> }>();
  const event = (command: Command, text: string) => {
    const list = expectation.events.get(command.commandId) ?? [];
    list.push(text);
    expectation.events.set(command.commandId, list);
    const order = expectation.eventOrder.get(command.applicationId) ?? [];
    order.push(command.commandId);
    expectation.eventOrder.set(command.applicationId, order);
  };

  const ordered = [...log].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  for (const record of ordered) {
    const spec = specs.get(identity(record.key, record.value));
    if (!spec) {
      expectation.problems.push(`command topic ${record.partition}/${record.offset}: a record the load never made`);
      continue;
    }
    if (spec.kind === 'dead-letter') {
      expectation.deadLetters.set(`${record.partition}/${record.offset}`, spec.code);
      count(`dlq:${spec.code}`);
      continue;
    }
    const { command } = spec;
    const bytes = record.value!.toString('hex');
    const known = seen.get(command.commandId);
    if (known?.first === bytes) { count('duplicate'); continue; }
    const app = apps.get(command.applicationId);
    if (known) {
      // The same commandId with another payload: refused, never applied; one outcome per payload.
      count('reused');
      if (!known.reused.has(bytes)) {
        known.reused.add(bytes);
        // eslint-disable-next-line honesty/no-default-figure -- the model's version of an application it has not seen is 0, as the refusal the decider writes
        event(command, `CommandRejected:IDEMPOTENCY_KEY_REUSED@v${app?.version ?? 0}`);
      }
      continue;
    }
    seen.set(command.commandId, { first: bytes, reused: new Set() });

    const listingId = command.type === 'SubmitApplication' ? command.listingId : app?.listingId ?? null;
    const listing = listingId === null ? undefined : listings.get(listingId);
    const pending = listingId === null ? undefined : pendingChange.get(listingId);
    const isDecision = command.type === 'ApproveApplication' || command.type === 'RejectApplication';
    const admin = isDecision ? judgeAdmin(command, spec.token, Number(record.timestamp), options.skewMs) : null;
    const situation: Situation = {
      command, app, listing, otherPendingChange: pending !== command.applicationId ? pending : undefined, detailsValid: spec.detailsValid, admin,
    };
    const refusal = RULES[command.type].find(([, holds]) => holds(situation))?.[0];
    if (refusal) {
      count(refusal);
      expectation.processed.set(command.commandId, `REJECTED:${refusal}`);
      // eslint-disable-next-line honesty/no-default-figure -- the model's version of an application it has not seen is 0, as the refusal the decider writes
      event(command, `CommandRejected:${refusal}@v${app?.version ?? 0}`);
      if (refusal === 'FORBIDDEN' && isDecision) {
        expectation.audit.set(command.commandId, { action: 'DENIED', adminId: admin!.adminId, applicationId: command.applicationId, reason: true });
      }
      continue;
    }
    count('ACCEPTED');
    expectation.processed.set(command.commandId, 'ACCEPTED');
    accept(command, app, listing, admin);
  }
  return expectation;

  function accept(command: Command, app: ModelApplication | undefined, listing: ModelListing | undefined, admin: Admin | null): void {
    const { applicationId } = command;
    switch (command.type) {
      case 'SubmitApplication': {
        const created: ModelApplication = {
          id: applicationId, applicantId: command.applicantId, kind: command.kind, listingId: command.listingId, contentType: command.contentType,
          status: 'PENDING', version: 1, details: command.details as unknown as Record<string, unknown>, decidedBy: null, rejectionReason: null, decisionNote: null,
        };
        apps.set(applicationId, created);
        if (created.kind === 'INFO_CHANGE') pendingChange.set(created.listingId!, applicationId);
        event(command, 'ApplicationSubmitted@v1');
        notify(created, 'APPLICATION_RECEIVED', null);
        notify(created, 'APPLICATION_AWAITING_REVIEW', null, options.topics.reviewersRecipientId);
        return;
      }
      case 'AmendApplication':
        app!.version += 1;
        app!.details = command.details as unknown as Record<string, unknown>;
        event(command, `ApplicationAmended@v${app!.version}`);
        notify(app!, 'APPLICATION_AWAITING_REVIEW', null, options.topics.reviewersRecipientId);
        return;
      case 'WithdrawApplication':
        app!.version += 1;
        app!.status = 'WITHDRAWN';
        close(app!);
        event(command, `ApplicationWithdrawn@v${app!.version}`);
        return;
      case 'RejectApplication': {
        const reason = command.reason.trim();
        Object.assign(app!, { version: app!.version + 1, status: 'REJECTED', decidedBy: admin!.adminId, rejectionReason: reason });
        close(app!);
        event(command, `ApplicationRejected@v${app!.version}`);
        expectation.audit.set(command.commandId, { action: 'REJECT', adminId: admin!.adminId, applicationId, reason });
        notify(app!, 'APPLICATION_REJECTED', reason);
        return;
      }
      case 'ApproveApplication': {
        Object.assign(app!, { version: app!.version + 1, status: 'APPROVED', decidedBy: admin!.adminId, decisionNote: command.note });
        close(app!);
        event(command, `ApplicationApproved@v${app!.version}`);
        expectation.audit.set(command.commandId, { action: 'APPROVE', adminId: admin!.adminId, applicationId, reason: command.note });
        notify(app!, 'APPLICATION_APPROVED', null);
        const details = app!.details;
        let next: ModelListing;
        if (app!.kind === 'NEW_LISTING') {
          // The approved NEW_LISTING names the listing it created.
          app!.listingId = listingIdOf(applicationId);
          next = {
            id: app!.listingId, ownerId: app!.applicantId, contentType: app!.contentType, name: details.name, contact: details.contact,
            address: details.address, businessHours: details.businessHours, sourceApplicationId: applicationId, version: 1,
          };
        } else {
          // An INFO_CHANGE replaces what it carries (null keeps the listing's own).
          next = {
            ...listing!, contact: details.contact ?? listing!.contact, address: details.address ?? listing!.address,
            businessHours: details.businessHours ?? listing!.businessHours, sourceApplicationId: applicationId, version: listing!.version + 1,
          };
        }
        listings.set(next.id, next);
        expectation.listingRecords.set(applicationId, {
          topic: options.topics.listings[next.contentType as keyof Topics['listings']], key: next.id, version: next.version,
          type: next.version === 1 ? 'ListingPublished' : 'ListingInfoChanged',
        });
      }
    }
  }

  function close(app: ModelApplication): void {
    if (app.kind === 'INFO_CHANGE' && pendingChange.get(app.listingId!) === app.id) pendingChange.delete(app.listingId!);
  }

  function notify(app: ModelApplication, template: string, reason: string | null, recipient = app.applicantId): void {
    const name = `${app.id}/${template}`;
    const earlier = expectation.notifications.get(name);
    expectation.notifications.set(name, { recipient, reason, copies: earlier === undefined ? 1 : earlier.copies + 1 });
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing the prediction with what the stack holds.

/** A published record with its value decoded (null on the DLQ, whose value is the raw command). */
export interface DecodedRecord { record: RawRecord; value: Record<string, any> | null }

export interface IntentVerdict {
  /** The first 40 mismatches, described. */
  problems: string[];
  /** How many there were. */
  mismatches: number;
  /** How much was compared, so that a verdict over nothing cannot pass. */
  checked: { commands: number; events: number; listingRecords: number; notifications: number; deadLetters: number; applications: number; listings: number; auditRows: number };
  /** The model's outcomes by code, for the summary. */
  counts: Record<string, number>;
}

const payloadType = (value: Record<string, any>) => {
  const [name] = Object.keys(value.payload ?? {});
  return name?.split('.').pop() ?? '(none)';
};
const payloadBody = (value: Record<string, any>) => Object.values(value.payload ?? {})[0] as Record<string, any> | undefined;
/** jsonb and Avro values compared as JSON (key order aside). */
const same = (a: unknown, b: unknown) => isDeepStrictEqual(JSON.parse(JSON.stringify(a ?? null)), JSON.parse(JSON.stringify(b ?? null)));

export function checkIntents(expected: IntentExpectation, observed: Observed, published: DecodedRecord[], topics: Topics): IntentVerdict {
  const problems = [...expected.problems];
  let mismatches = problems.length;
  const note = (problem: string) => {
    mismatches += 1;
    if (problems.length < 40) problems.push(problem);
    else if (problems.length === 40) problems.push('... (the rest left out)');
  };

  // processed_commands: exactly the commands the model applied, each with its outcome.
  const processed = new Map<string, string>();
  for (const row of observed.processed) {
    if (processed.has(row.command_id)) note(`processed_commands holds ${row.command_id} twice`);
    processed.set(row.command_id, row.outcome);
  }
  for (const [commandId, outcome] of expected.processed) {
    const got = processed.get(commandId);
    if (got !== outcome) note(`command ${commandId}: ${got ?? 'never applied'}, intent ${outcome}`);
  }
  for (const commandId of processed.keys()) if (!expected.processed.has(commandId)) note(`processed_commands holds ${commandId}, which the intents never apply`);

  // The topics, copies of one eventId counted once (published at least once; consumers dedupe).
  const firsts: DecodedRecord[] = [];
  const seenEvents = new Set<string>();
  const dlq = new Map<string, string>();
  for (const entry of published) {
    const { record } = entry;
    if (record.topic === topics.dlq) {
      dlq.set(`${record.headers['source.partition']}/${record.headers['source.offset']}`, record.headers['error.code'] ?? '');
      continue;
    }
    const eventId = record.headers['event-id'];
    if (!eventId) { note(`record without event-id on ${record.topic} ${record.partition}/${record.offset}`); continue; }
    if (seenEvents.has(eventId)) continue;
    seenEvents.add(eventId);
    firsts.push(entry);
  }

  // Events: per command exactly its outcomes, keyed by application, per application in order.
  const events = new Map<string, string[]>();
  const order = new Map<string, string[]>();
  let eventCount = 0;
  for (const { record, value } of firsts.filter((entry) => entry.record.topic === topics.events)) {
    eventCount += 1;
    const type = payloadType(value!);
    const code = type === 'CommandRejected' ? `:${payloadBody(value!)?.code}` : '';
    const list = events.get(value!.commandId) ?? [];
    list.push(`${type}${code}@v${value!.version}`);
    events.set(value!.commandId, list);
    if (record.key?.toString('utf8') !== value!.applicationId) note(`event of ${value!.commandId} keyed ${record.key?.toString('utf8')}, not by its application ${value!.applicationId}`);
    const sequence = order.get(value!.applicationId) ?? [];
    sequence.push(value!.commandId);
    order.set(value!.applicationId, sequence);
  }
  for (const [commandId, wanted] of expected.events) {
    const got = (events.get(commandId) ?? []).sort();
    if (!isDeepStrictEqual(got, [...wanted].sort())) note(`events of ${commandId}: ${JSON.stringify(got)}, intent ${JSON.stringify([...wanted].sort())}`);
  }
  for (const commandId of events.keys()) if (!expected.events.has(commandId)) note(`events for ${commandId}, which the intents give no outcome`);
  for (const [applicationId, wanted] of expected.eventOrder) {
    const got = order.get(applicationId) ?? [];
    if (got.length === wanted.length && !isDeepStrictEqual(got, wanted)) note(`events of application ${applicationId} out of order`);
  }

  // Listing records: one per approval, on its content type's topic, keyed by listing, at its version.
  const listingTopics = new Set(Object.values(topics.listings));
  const listingRecords = new Map<string, { topic: string; key: string; version: number; type: string }[]>();
  let listingCount = 0;
  for (const { record, value } of firsts.filter((entry) => listingTopics.has(entry.record.topic))) {
    listingCount += 1;
    const list = listingRecords.get(value!.applicationId) ?? [];
    list.push({ topic: record.topic, key: record.key?.toString('utf8') ?? '', version: value!.version, type: payloadType(value!) });
    listingRecords.set(value!.applicationId, list);
  }
  for (const [applicationId, wanted] of expected.listingRecords) {
    const got = listingRecords.get(applicationId) ?? [];
    if (!isDeepStrictEqual(got, [wanted])) note(`listing records of ${applicationId}: ${JSON.stringify(got)}, intent ${JSON.stringify(wanted)}`);
  }
  for (const applicationId of listingRecords.keys()) if (!expected.listingRecords.has(applicationId)) note(`listing record for ${applicationId}, which the intents never approve`);

  // Notifications: one per receipt and decision, to the applicant; one per arrival and amendment, to the reviewers.
  const notifications = new Map<string, { recipient: string; reason: string | null; copies: number }>();
  let notificationCount = 0;
  for (const { record, value } of firsts.filter((entry) => entry.record.topic === topics.notifications)) {
    notificationCount += 1;
    const name = `${value!.applicationId}/${value!.template}`;
    const known = notifications.get(name);
    if (known) { known.copies += 1; continue; }
    if (record.key?.toString('utf8') !== value!.recipientId) note(`notification ${name} keyed ${record.key?.toString('utf8')}, not by its recipient`);
    notifications.set(name, { recipient: value!.recipientId, reason: value!.reason ?? null, copies: 1 });
  }
  for (const [name, wanted] of expected.notifications) {
    const got = notifications.get(name);
    if (!got || got.copies !== wanted.copies || got.recipient !== wanted.recipient || got.reason !== wanted.reason) note(`notification ${name}: ${JSON.stringify(got ?? null)}, intent ${JSON.stringify(wanted)}`);
  }
  for (const name of notifications.keys()) if (!expected.notifications.has(name)) note(`notification ${name}, which the intents never send`);

  // Dead letters: each undecodable record, where it was, with its code.
  for (const [origin, code] of expected.deadLetters) if (dlq.get(origin) !== code) note(`dead letter of ${origin}: ${dlq.get(origin) ?? 'missing'}, intent ${code}`);
  for (const origin of dlq.keys()) if (!expected.deadLetters.has(origin)) note(`dead letter of ${origin}, which the intents never dead-letter`);

  // Applications: status, version, decision and the details of the last accepted change.
  const rows = new Map(observed.applications.map((row) => [row.id as string, row]));
  for (const [id, app] of expected.applications) {
    const row = rows.get(id);
    if (!row) { note(`application ${id} missing (intent ${app.status} v${app.version})`); continue; }
    const want = {
      applicant_id: app.applicantId, kind: app.kind, listing_id: app.listingId, content_type: app.contentType, status: app.status, version: app.version,
      decided_by: app.decidedBy, rejection_reason: app.rejectionReason, decision_note: app.decisionNote,
    };
    const got = Object.fromEntries(Object.keys(want).map((column) => [column, row[column] ?? null]));
    if (!isDeepStrictEqual(got, want)) note(`application ${id}: ${JSON.stringify(got)}, intent ${JSON.stringify(want)}`);
    const fields = app.kind === 'NEW_LISTING' ? ['name', 'contact', 'address', 'businessHours'] : ['contact', 'address', 'businessHours'];
    for (const field of fields) if (!same(row.details?.[field], app.details[field])) note(`application ${id}: details.${field} is not the last accepted one`);
  }
  for (const id of rows.keys()) if (!expected.applications.has(id)) note(`application ${id}, which the intents never create`);

  // Listings: created by approvals, changed by approved INFO_CHANGEs.
  const listingRows = new Map(observed.listings.map((row) => [row.id as string, row]));
  for (const [id, listing] of expected.listings) {
    const row = listingRows.get(id);
    if (!row) { note(`listing ${id} missing`); continue; }
    const got = { owner_id: row.owner_id, content_type: row.content_type, version: row.version, source_application_id: row.source_application_id };
    const want = { owner_id: listing.ownerId, content_type: listing.contentType, version: listing.version, source_application_id: listing.sourceApplicationId };
    if (!isDeepStrictEqual(got, want)) note(`listing ${id}: ${JSON.stringify(got)}, intent ${JSON.stringify(want)}`);
    for (const [column, value] of [['name', listing.name], ['contact', listing.contact], ['address', listing.address], ['business_hours', listing.businessHours]] as const) {
      if (!same(row[column], value)) note(`listing ${id}: ${column} ${JSON.stringify(row[column])}, intent ${JSON.stringify(value)}`);
    }
  }
  for (const id of listingRows.keys()) if (!expected.listings.has(id)) note(`listing ${id}, which the intents never create`);

  // The audit log: one row per decision taken or refused, none for anything else.
  const auditRows = new Map<string, Observed['adminActions']>();
  for (const row of observed.adminActions) auditRows.set(row.command_id, [...(auditRows.get(row.command_id) ?? []), row]);
  for (const [commandId, want] of expected.audit) {
    const got = auditRows.get(commandId) ?? [];
    const matches = got.length === 1 && got[0]!.action === want.action && got[0]!.admin_id === want.adminId && got[0]!.application_id === want.applicationId
      && (want.reason === true ? typeof got[0]!.reason === 'string' && got[0]!.reason.length > 0 : got[0]!.reason === want.reason);
    if (!matches) note(`audit of ${commandId}: ${JSON.stringify(got)}, intent ${JSON.stringify(want)}`);
  }
  for (const commandId of auditRows.keys()) if (!expected.audit.has(commandId)) note(`audit row for ${commandId}, which the intents never audit`);

  return {
    problems,
    mismatches,
    counts: expected.counts,
    checked: {
      commands: expected.processed.size, events: eventCount, listingRecords: listingCount, notifications: notificationCount, deadLetters: dlq.size,
      applications: expected.applications.size, listings: expected.listings.size, auditRows: expected.audit.size,
    },
  };
}
