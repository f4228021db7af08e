import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Topics } from '../src/config.ts';
import { devKeys, type DevKeys } from '../dev/stack/keys.ts';
import { serviceEnv, ServiceProcess } from './support/fault/process.ts';
import { loadProducer, sendPaced, type LoadRecord } from './support/fault/load.ts';
import { startFaultStack, type FaultStack } from './support/fault/stack.ts';
import { buildLoad, expectClean, expectationOf, intentVerdict, observe, report, seedFor, summarize, waitConverged } from './support/fault/scenario.ts';
import { compare, type Observed } from './support/fault/oracle.ts';
import { allOf, parseMetrics, valueOf } from './support/metrics.ts';
import { eventually } from './support/pipeline.ts';

/**
 * PROCESSOR_MAX_BATCH bounds the commands applied in one database transaction; it must never
 * change what the service does. One seeded mixed load (the fault suites' generator) is built
 * once, and its very bytes are put on the command topic of a fresh stack per batch size (same
 * signing key, same schema ids), then drained by the service (`node src/main.ts`) at that size.
 * At each size the decider-replay oracle and the model of intents must hold, and the batches must really be of that size
 * (the service's log of every transaction, and its /metrics); across sizes the outcome must be
 * the same.
 */

const SIZES = [1, 7, 5000];
const DEFAULT_MAX_BATCH = loadConfig({}).PROCESSOR_MAX_BATCH;
/**
 * Over three times the default bound, so that one of the three partitions holds more than the
 * default: at 5000 a transaction must then be larger than the default would allow.
 */
const COMMANDS = Number(process.env.BATCH_SIZE_COMMANDS ?? 3 * DEFAULT_MAX_BATCH + 30);
const seed = seedFor(6);

let keysDir: string;
let keys: DevKeys;
/** Built on the first stack, sent as they are to every stack. */
let load: LoadRecord[] | undefined;

beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'backoffice-batch-size-'));
  keys = await devKeys(keysDir);
});
afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

/** The load's bytes carry the schema id of the stack that built it: this stack's registry must give the same. */
async function expectSameSchemaIds(stack: FaultStack, records: LoadRecord[]): Promise<void> {
  const sample = records.find((record) => record.intent === 'submit')!;
  const decoded = await stack.serde.decodeCommand(sample.value);
  expect(decoded.ok && stack.serde.encode(stack.topics.commands, decoded.value)).toEqual(sample.value);
}

type Outcome = Record<string, Map<string, string>>;
const outcomes = new Map<number, Outcome>();

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const withoutTimes = (row: Record<string, unknown>) => JSON.stringify(Object.entries(row).filter(([column]) => !column.endsWith('_at')));

/** What a drained run left behind, without what depends on the clock or on cross-partition timing. */
function outcomeOf(observed: Observed, topics: Topics): Outcome {
  const published = new Map<string, string>();
  const order = new Map<string, string>();
  const deadLetters = new Map<string, string>();
  // Each size runs on topics of its own (a prefix per stack): compare by the topic's role.
  const roleOf = (topic: string) => topic === topics.events ? 'events' : topic === topics.notifications ? 'notifications'
    : `listings.${Object.entries(topics.listings).find(([, name]) => name === topic)?.[0] ?? topic}`;
  for (const record of observed.published) {
    if (record.topic === topics.dlq) {
      deadLetters.set(`${record.headers['source.partition']}/${record.headers['source.offset']}`, record.headers['error.code'] ?? '');
      continue;
    }
    const eventId = record.headers['event-id'] ?? `no event-id at ${record.topic} ${record.partition}/${record.offset}`;
    if (published.has(eventId)) continue;
    const key = record.key?.toString('utf8') ?? null;
    published.set(eventId, `${roleOf(record.topic)} ${key}`);
    // Notifications are keyed by applicant, whose applications span partitions: no order to compare.
    if (record.topic !== topics.notifications) {
      const name = `${roleOf(record.topic)} ${key}`;
      order.set(name, order.has(name) ? `${order.get(name)} ${eventId}` : eventId);
    }
  }
  return {
    processed: new Map(observed.processed.map((row) => [row.command_id, `${row.outcome} at ${row.source_partition}/${row.source_offset}`])),
    applications: new Map(observed.applications.map((row) => [row.id as string, withoutTimes(row)])),
    listings: new Map(observed.listings.map((row) => [row.id as string, withoutTimes(row)])),
    audit: new Map(observed.adminActions.map((row) => [row.command_id, JSON.stringify([row.action, row.admin_id, row.application_id, row.reason])])),
    history: new Map(observed.history.map((row) => [row.event_id, JSON.stringify([row.command_id, row.version, row.type])])),
    published, order, deadLetters,
  };
}

/** The first few entries two outcomes disagree on, section by section. */
function differences(a: Outcome, b: Outcome, most = 20): string[] {
  const found: string[] = [];
  for (const section of Object.keys(a)) {
    for (const key of new Set([...a[section]!.keys(), ...b[section]!.keys()])) {
      const left = a[section]!.get(key);
      const right = b[section]!.get(key);
      if (left !== right && found.push(`${section} ${key}: ${left ?? '(none)'} vs ${right ?? '(none)'}`) >= most) return found;
    }
  }
  return found;
}

test.each(SIZES)(`PROCESSOR_MAX_BATCH=%i drains ${COMMANDS} mixed commands in batches of that size, as the oracle says`, async (size) => {
  const stack = await startFaultStack({ keys });
  let service: ServiceProcess | undefined;
  try {
    const records = load ??= await buildLoad(stack, seed, COMMANDS);
    await expectSameSchemaIds(stack, records);
    // The whole load first: the service starts on a backlog, so kafkajs hands it a partition's
    // records by the thousand (up to 1 MB a fetch) and only the setting cuts them into transactions.
    const producer = loadProducer(stack.kafka);
    await producer.connect();
    await sendPaced(producer, stack.topics.commands, records, { ratePerSecond: Number.POSITIVE_INFINITY, chunk: 500 });
    await producer.disconnect();

    // At debug level the processor logs every transaction: `batch applied` with its command count.
    const env = serviceEnv(stack.config, { PROCESSOR_MAX_BATCH: String(size), LOG_LEVEL: 'debug' });
    service = await ServiceProcess.start({ name: `max-batch-${size}`, env, logDir: stack.dir });
    const startedAt = Date.now();
    await service.waitReady();
    const { expectation, log } = await expectationOf(stack);
    const convergence = await waitConverged(stack, expectation, 120_000);
    const drainMs = Date.now() - startedAt;

    // A batch is logged and counted once its offsets are committed, just after the database converged.
    const running = service;
    const samples = await eventually(async () => {
      const current = parseMetrics(await running.metricsText());
      // eslint-disable-next-line honesty/no-default-figure -- an absent sum keeps eventually waiting, and its timeout fails
      return (valueOf(current, 'backoffice_processor_batch_commands_sum') ?? 0) >= log.length ? current : undefined;
    });
    const batches = await eventually(async () => {
      const logged = running.logEntries('batch applied').map((entry) => Number(entry.commands));
      return sum(logged) >= log.length ? logged : undefined;
    });
    const largest = Math.max(...batches);

    const observed = await observe(stack);
    const verdict = compare(expectation, observed, stack.topics);
    const intents = await intentVerdict(stack, log, records, observed);
    report(summarize({
      broker: stack.broker.label, scenario: `batch-size-${size}`, seed, faultsInjected: 0, faults: `none; PROCESSOR_MAX_BATCH=${size}, a backlog drained by one instance`,
      recoverMs: convergence.ms, sent: records.length,
    }, expectation, verdict, {
      converged: convergence.converged, logRecords: log.length, drainMs, transactions: batches.length, largestBatch: largest,
      meanBatch: Math.round(log.length / batches.length * 10) / 10,
    }), verdict, intents);

    expect(convergence.converged).toBe(true);
    expectClean(verdict, expectation, observed, records.length, intents);
    // One instance, no fault: each outcome published once.
    expect(verdict.duplicatesPublished).toBe(0);
    expect(service.errorLines()).toEqual([]);

    // Every record of the log in exactly one transaction, none of them larger than the setting...
    expect(sum(batches)).toBe(log.length);
    expect(batches.filter((commands) => commands < 1 || commands > size)).toEqual([]);
    // ...and the setting is what cut them: the backlog fills batches of exactly 1 and of exactly
    // 7, and at 5000 the largest partition (over the default bound, in one fetch: its size scales with the setting) one batch.
    if (size < DEFAULT_MAX_BATCH) {
      expect(largest).toBe(size);
    } else {
      const perPartition = new Map<number, number>();
      for (const record of log) perPartition.set(record.partition, (perPartition.get(record.partition) ?? 0) + 1);
      expect(Math.max(...perPartition.values())).toBeGreaterThan(DEFAULT_MAX_BATCH);
      expect(largest).toBeGreaterThan(DEFAULT_MAX_BATCH);
    }
    // The service's own figures agree with its log: one observation per transaction, each in its buckets.
    expect(valueOf(samples, 'backoffice_processor_batch_commands_count')).toBe(batches.length);
    expect(valueOf(samples, 'backoffice_processor_batch_commands_sum')).toBe(log.length);
    // A transaction is timed per attempt: on a starved machine a batch may be tried again (a
    // missed heartbeat makes the member rejoin first), which the committed figures above ignore.
    expect(valueOf(samples, 'backoffice_processor_transaction_seconds_count')).toBeGreaterThanOrEqual(batches.length);
    const buckets = allOf(samples, 'backoffice_processor_batch_commands_bucket');
    expect(buckets.length).toBeGreaterThan(1);
    for (const bucket of buckets) {
      const bound = bucket.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(bucket.labels.le);
      expect({ le: bucket.labels.le, count: bucket.value }).toEqual({ le: bucket.labels.le, count: batches.filter((commands) => commands <= bound).length });
    }

    outcomes.set(size, outcomeOf(observed, stack.topics));
  } finally {
    await service?.destroy();
    await stack.stop();
  }
}, 180_000);

test('the outcome is the same at every batch size', () => {
  expect([...outcomes.keys()]).toEqual(SIZES);
  const [first, ...others] = SIZES;
  const reference = outcomes.get(first!)!;
  expect(reference.processed!.size).toBeGreaterThan(COMMANDS / 2);
  for (const size of others) {
    expect({ size, differences: differences(reference, outcomes.get(size)!) }).toEqual({ size, differences: [] });
  }
});
