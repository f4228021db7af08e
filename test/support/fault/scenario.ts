import { createTokenVerifier } from '../../../src/auth/tokens.ts';
import { allTopics } from '../../../src/config.ts';
import { ChaosProxy } from './proxy.ts';
import { compare, replay, type Expectation, type Observed, type Verdict } from './oracle.ts';
import { checkIntents, expectIntents, type DecodedRecord, type IntentVerdict } from './intents.ts';
import type { FaultStack } from './stack.ts';
import { generateLoad, type LoadRecord, type TokenFacts } from './load.ts';
import { brokerGroups, endOffsets, groupPosition, readTopics, type RawRecord } from './topics.ts';

/** Seeds are printed with every summary; FAULT_SEED replays a run's exact load. */
export const seedFor = (scenario: number) => Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000) * 10 + scenario;

/** What the test knows of a token it minted: its claims, read back (not verified). */
function factsOf(token: string): TokenFacts {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; role: 'MASTER' | 'OWNER'; iat: number; exp: number };
  return { token, subject: claims.sub, role: claims.role, issuedAt: claims.iat, expiresAt: claims.exp };
}

export async function buildLoad(stack: FaultStack, seed: number, records: number): Promise<LoadRecord[]> {
  const tokens = {
    masters: (await Promise.all(['admin-kim', 'admin-park'].map((subject) => stack.token('MASTER', subject, { expiresInSeconds: 86_400 })))).map(factsOf),
    owner: factsOf(await stack.token('OWNER', 'owner-sneaky', { expiresInSeconds: 86_400 })),
    expired: factsOf(await stack.token('MASTER', 'admin-retired', { issuedAt: new Date(Date.now() - 7_200_000), expiresInSeconds: 60 })),
  };
  return generateLoad({ seed, records, partitions: 3, topics: stack.topics, serde: stack.serde, tokens });
}

/** Counts in processed_commands and the outbox, for progress and convergence. */
export async function progress(stack: FaultStack): Promise<{ processed: number; unpublished: number }> {
  const [row] = await stack.query<{ processed: string; unpublished: string }>(
    'SELECT (SELECT count(*) FROM processed_commands) AS processed, (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS unpublished');
  return { processed: Number(row!.processed), unpublished: Number(row!.unpublished) };
}

/**
 * Resolves once the group's committed position moves past where it is now (work resumed after
 * a restart, a rebalance or an outage), or once nothing is left to commit; returns the wait.
 */
export async function waitResumed(stack: FaultStack, timeoutMs: number): Promise<number> {
  const started = Date.now();
  // A read in the middle of a leader move can fail (NOT_LEADER_OR_FOLLOWER): it is "not yet".
  const position = () => groupPosition(stack, stack.config.KAFKA_GROUP_ID, stack.topics.commands).catch((error: unknown) => {
    if (Date.now() - started > timeoutMs) throw error;
    return null;
  });
  let before = await position();
  for (;;) {
    const now = await position();
    if (before === null) before = now;
    else if (now !== null && (now.committed > before.committed || now.committed === now.end)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`no committed progress within ${timeoutMs} ms (committed ${now?.committed} of ${now?.end})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The oracle's expectation from the command topic as the broker holds it. */
export async function expectationOf(stack: FaultStack): Promise<{ expectation: Expectation; log: RawRecord[] }> {
  const log = (await readTopics(stack.kafka, [stack.topics.commands])
    .catch(async (error: Error) => { throw new Error(`${error.message}; broker: ${await brokerState(stack)}`); })).get(stack.topics.commands)!;
  const verifier = createTokenVerifier({ publicKeyPem: stack.keys.publicKeyPem, issuer: stack.config.AUTH_ISSUER, audience: stack.config.AUTH_AUDIENCE });
  // The service's decision clock: the record's append time, which the oracle reads off the log.
  // go-mokapi stamps no append time and the service judges by processing time there, which no
  // replay can know: the record's own timestamp (its send time) is the nearest the oracle has,
  // and the load's tokens and issuedAt values are far from every bound but the ones they test.
  const clock = { appendTime: true, skewMs: stack.config.DECISION_MAX_SKEW_SECONDS * 1000 };
  return { expectation: await replay(log, { serde: stack.serde, verifier, topics: stack.topics, clock }), log };
}

/**
 * Waits until the database holds every distinct command of the log and the outbox is empty,
 * polling PostgreSQL; returns how long that took. Times out rather than hanging on a loss.
 */
export async function waitConverged(stack: FaultStack, expectation: Expectation, timeoutMs: number): Promise<{ ms: number; converged: boolean }> {
  const started = Date.now();
  for (;;) {
    const now = await progress(stack).catch(() => null);
    if (now && now.processed >= expectation.processed.size && now.unpublished === 0) {
      // Dead letters leave no processed_commands row: all of them on the DLQ topic means the last
      // records were handled (read from the topic: published outbox rows go after their retention).
      const onDlq = [...(await endOffsets(stack.kafka, stack.topics.dlq).catch(() => new Map<number, bigint>())).values()].reduce((sum, end) => sum + end, 0n);
      if (onDlq >= BigInt(expectation.deadLetters.size)) return { ms: Date.now() - started, converged: true };
    }
    if (Date.now() - started > timeoutMs) return { ms: Date.now() - started, converged: false };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Why the broker is not answering, for error messages: its exit, or its view of the groups. */
/**
 * After the faults: what the oracle expects of the command log, the wait until the stack holds
 * it (or the timeout), and the verdicts on what it holds: the replay's, and the model of intents'
 * over the load's records. `since` is when the last fault ended.
 */
export async function settle(stack: FaultStack, load: LoadRecord[], timeoutMs: number, since = Date.now()) {
  const { expectation, log } = await expectationOf(stack);
  const convergence = await waitConverged(stack, expectation, timeoutMs);
  const recoverMs = Date.now() - since;
  const observed = await observe(stack);
  const intents = await intentVerdict(stack, log, load, observed);
  return { expectation, log, convergence, recoverMs, observed, verdict: compare(expectation, observed, stack.topics), intents };
}

/** The model of intents (intents.ts) over the log, compared with what the stack holds. */
export async function intentVerdict(stack: FaultStack, log: RawRecord[], load: LoadRecord[], observed: Observed): Promise<IntentVerdict> {
  const expected = expectIntents(log, load, { topics: stack.topics, skewMs: stack.config.DECISION_MAX_SKEW_SECONDS * 1000 });
  // Values are decoded through the registry (reading, not deciding); the DLQ keeps raw bytes.
  const published: DecodedRecord[] = [];
  for (const record of observed.published) {
    const value = record.topic === stack.topics.dlq || record.value === null ? null : await stack.serde.decodeAny(record.value) as Record<string, any>;
    published.push({ record, value });
  }
  return checkIntents(expected, observed, published, stack.topics);
}

export async function brokerState(stack: FaultStack): Promise<string> {
  return stack.broker.exitReason() ?? JSON.stringify(await brokerGroups(stack.kafka));
}

export async function observe(stack: FaultStack): Promise<Observed> {
  const published = await readTopics(stack.kafka, allTopics(stack.topics).filter((topic) => topic !== stack.topics.commands))
    .catch(async (error: Error) => { throw new Error(`${error.message}; broker: ${await brokerState(stack)}`); });
  const [processed, applications, listings, adminActions, history, [outbox]] = await Promise.all([
    stack.query('SELECT command_id, outcome, source_partition, source_offset::text FROM processed_commands'),
    stack.query('SELECT * FROM applications'),
    stack.query('SELECT * FROM listings'),
    stack.query('SELECT command_id, action, admin_id, application_id, reason FROM admin_action_log'),
    stack.query('SELECT event_id, command_id, version, type FROM application_events'),
    stack.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL'),
  ]);
  return {
    processed: processed as Observed['processed'], applications, listings, adminActions: adminActions as Observed['adminActions'],
    history: history as Observed['history'], unpublishedOutbox: Number(outbox!.n), published: [...published.values()].flat(),
  };
}

export interface Summary {
  scenario: string;
  /** `apache-kafka 4.4.0` or `go-mokapi`: what the figures were measured on. */
  broker: string;
  seed: number;
  commandsSent: number;
  distinctCommands: number;
  redeliveries: number;
  reusedKeys: number;
  faultsInjected: number;
  faults: string;
  lost: number;
  appliedTwice: number;
  eventsMissing: number;
  eventsOutOfOrder: number;
  eventsUnexpected: number;
  duplicatesPublished: number;
  duplicatesDiffering: number;
  dlqCount: number;
  stateMismatches: number;
  auditMismatches: number;
  rejections: Record<string, number>;
  recoverMs: number;
  [extra: string]: unknown;
}

/** The scenario's figures as one JSON line on stdout, the source of docs/reliability.md. */
export function report(summary: Summary, verdict: Verdict, intents: IntentVerdict): void {
  process.stdout.write(`FAULT-SUMMARY ${JSON.stringify({ ...summary, intentMismatches: intents.mismatches, intentOutcomes: intents.counts })}\n`);
  if (verdict.problems.length > 0) process.stdout.write(`FAULT-PROBLEMS ${summary.scenario}\n  ${verdict.problems.join('\n  ')}\n`);
  if (intents.problems.length > 0) process.stdout.write(`FAULT-INTENT-PROBLEMS ${summary.scenario}\n  ${intents.problems.join('\n  ')}\n`);
}

export function summarize(base: { scenario: string; broker: string; seed: number; faultsInjected: number; faults: string; recoverMs: number; sent: number }, expectation: Expectation, verdict: Verdict, extra: Record<string, unknown> = {}): Summary {
  return {
    scenario: base.scenario, broker: base.broker, seed: base.seed, commandsSent: base.sent, distinctCommands: expectation.processed.size,
    redeliveries: expectation.redeliveries, reusedKeys: expectation.reusedKeys,
    faultsInjected: base.faultsInjected, faults: base.faults,
    lost: verdict.lost, appliedTwice: verdict.appliedTwice, eventsMissing: verdict.eventsMissing, eventsOutOfOrder: verdict.eventsOutOfOrder,
    eventsUnexpected: verdict.eventsUnexpected, duplicatesPublished: verdict.duplicatesPublished, duplicatesDiffering: verdict.duplicatesDiffering, dlqCount: verdict.dlqCount,
    stateMismatches: verdict.stateMismatches, auditMismatches: verdict.auditMismatches, rejections: expectation.rejections,
    recoverMs: base.recoverMs, ...extra,
  };
}

/** The assertions every scenario ends with: the replay's verdict and the model of intents'. */
export function expectClean(verdict: Verdict, expectation: Expectation, observed: Observed, sent: number, intents: IntentVerdict): void {
  expect(expectation.records).toBeGreaterThanOrEqual(sent);
  // The model of intents, over as much as the replay: every distinct command, its events, its rows.
  expect({ mismatches: intents.mismatches, problems: intents.problems }).toEqual({ mismatches: 0, problems: [] });
  expect(intents.checked.commands).toBe(expectation.processed.size);
  expect(intents.checked.commands).toBeGreaterThan(0);
  expect(intents.checked.events).toBeGreaterThanOrEqual(intents.checked.commands);
  expect(intents.checked.deadLetters).toBe(expectation.deadLetters.size);
  expect({
    lost: verdict.lost, appliedTwice: verdict.appliedTwice, eventsMissing: verdict.eventsMissing, eventsUnexpected: verdict.eventsUnexpected,
    eventsOutOfOrder: verdict.eventsOutOfOrder, duplicatesDiffering: verdict.duplicatesDiffering, stateMismatches: verdict.stateMismatches,
    auditMismatches: verdict.auditMismatches, unpublishedOutbox: observed.unpublishedOutbox, problems: verdict.problems,
  }).toEqual({
    lost: 0, appliedTwice: 0, eventsMissing: 0, eventsUnexpected: 0, eventsOutOfOrder: 0, duplicatesDiffering: 0, stateMismatches: 0,
    auditMismatches: 0, unpublishedOutbox: 0, problems: [],
  });
  expect(verdict.dlqCount).toBe(expectation.deadLetters.size);
}

export const REDIRECT_PRELOAD = new URL('./redirect.ts', import.meta.url).pathname;

/** Kills a process at a moment that the broker can take (see handshakeWatch). */
export interface KillWindow {
  outsideHandshake(kill: () => boolean, options: { clientId: string; timeoutMs: number }): Promise<boolean | null>;
  close(): Promise<void>;
}

/**
 * go-mokapi never recovers a group whose leader dies between JoinGroup and SyncGroup, so there
 * a proxy that injects nothing sits between the processors and the broker, and a scenario kills
 * only outside the group handshake (see ChaosProxy.outsideHandshake). Apache Kafka takes a kill
 * at any moment: no proxy, the kill lands when the scenario says.
 */
export async function handshakeWatch(stack: FaultStack): Promise<{ proxy: KillWindow; env: Record<string, string>; preload?: string }> {
  if (stack.broker.kind !== 'go-mokapi') {
    return { proxy: { outsideHandshake: async (kill) => kill(), close: async () => {} }, env: {} };
  }
  const proxy = new ChaosProxy(stack.broker.port, { quirks: 'go-mokapi' });
  const port = await proxy.listen();
  return {
    proxy,
    preload: REDIRECT_PRELOAD,
    env: { KAFKA_BROKERS: `127.0.0.1:${port}`, FAULT_REDIRECT_FROM: String(stack.broker.port), FAULT_REDIRECT_TO: String(port) },
  };
}

/**
 * For a post-mortem: where each missing event stands in the outbox (written when, marked
 * published when), the topics' offsets as the broker reports them, and when the broker was away.
 */
export async function explainMissing(stack: FaultStack, expectation: Expectation, observed: Observed, outages: unknown): Promise<void> {
  const seen = new Set(observed.published.map((record) => record.headers['event-id']));
  const missing = [...expectation.messages.keys()].filter((eventId) => !seen.has(eventId));
  const rows = await stack.query('SELECT id, event_id, source_partition, topic, key, created_at, published_at FROM outbox WHERE event_id = ANY($1::uuid[])', [missing]);
  const admin = stack.kafka.admin();
  await admin.connect();
  const offsets: Record<string, unknown> = {};
  try {
    for (const topic of new Set(rows.map((row) => row.topic as string))) offsets[topic] = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  process.stdout.write(`FAULT-MISSING ${JSON.stringify({ rows, offsets, outages })}\n`);
}
