import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { createMetrics } from '../src/metrics.ts';
import { startOpsCollectors } from '../src/ops/collectors.ts';
import { consumerLagCollector, lagByPartition, type PartitionEnd } from '../src/ops/consumer-lag.ts';
import { freePort } from '../dev/stack/ports.ts';
import { connectDatabase } from '../src/store/db.ts';
import { approve, forCommand, reject, submitNew } from './support/commands.ts';
import { eventually, startPipeline, type Pipeline } from './support/pipeline.ts';
import { startTestStack, type TestStack } from './support/stack.ts';
import { allOf, parseMetrics, valueOf, type Sample } from './support/metrics.ts';
import { declaredMetrics } from './support/promql.ts';

/**
 * The operational metrics on a real stack (embedded PostgreSQL, go-mokapi broker, dev registry):
 * after real commands, GET /metrics must show the values the database and the broker hold.
 */

let stack: TestStack;
let pipeline: Pipeline;
let master: string;
const started = Date.now();
const PARTITIONS = 3;

beforeAll(async () => {
  stack = await startTestStack({ partitions: PARTITIONS, env: { METRICS_POLL_INTERVAL_MS: '200' } });
  pipeline = await startPipeline(stack);
  master = await stack.token('MASTER', 'admin-ops');
});

afterAll(async () => {
  try {
    await pipeline?.stop();
  } finally {
    await stack?.stop();
  }
});

async function scrape(): Promise<Sample[]> {
  const response = await pipeline.http('/metrics');
  expect(response.status).toBe(200);
  expect(response.contentType).toMatch(/^text\/plain/);
  return parseMetrics(response.body as string);
}

test('after real commands /metrics shows lag per partition, outbox backlog, DLQ by reason, transaction time, HTTP duration, pending count and age', async () => {
  const [a, b, c, d] = await pipeline.sender.send([submitNew('owner-ops-1'), submitNew('owner-ops-1'), submitNew('owner-ops-2'), submitNew('owner-ops-3')]);
  await pipeline.reader.waitFor((m) => [a, b, c, d].some((cmd) => forCommand(pipeline.topics.events, cmd!.commandId)(m)), 4);
  const decisions = await pipeline.sender.send([approve(a!.applicationId, master), reject(b!.applicationId, master, '사진이 없습니다')]);
  await pipeline.reader.waitFor((m) => decisions.some((cmd) => forCommand(pipeline.topics.events, cmd.commandId)(m)), 2);
  // Bytes that are not the Confluent wire format go to the DLQ with reason BAD_MAGIC_BYTE.
  await pipeline.sender.sendRaw([{ key: 'garbage', value: Buffer.from('not avro at all') }]);
  await pipeline.reader.waitFor((m) => m.topic === pipeline.topics.dlq);
  // A row the relay will never publish (no such source partition): the backlog gauge must see it.
  await stack.db.query(`INSERT INTO outbox_rows (event_id, source_partition, topic, key, value) VALUES ($1, 999, $2, 'k', NULL)`, [randomUUID(), pipeline.topics.events]);
  const reply = await pipeline.http(`/applications/${c!.applicationId}`, master);
  expect(reply.status).toBe(200);

  const { rows: [truth] } = await stack.db.query<{ pending: number; oldest: number }>(
    `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM applications WHERE status = 'PENDING'`);
  expect(truth!.pending).toBe(2);

  // Polled every 200 ms: wait until the gauges show what the database holds. Outcomes are counted
  // once their offsets are committed, which may follow their records on the topic by up to
  // PROCESSOR_COMMIT_INTERVAL_MS: wait until all 7 are.
  const samples = await eventually(async () => {
    const current = await scrape();
    const settled = valueOf(current, 'backoffice_outbox_backlog') === 1 && valueOf(current, 'backoffice_applications_pending') === 2
      && valueOf(current, 'backoffice_command_processing_seconds_count') === 7;
    return settled ? current : undefined;
  }, 15_000);

  const age = valueOf(samples, 'backoffice_applications_oldest_pending_age_seconds')!;
  expect(age).toBeGreaterThan(0);
  expect(age).toBeLessThanOrEqual((Date.now() - started) / 1000 + 1);
  expect(age).toBeGreaterThanOrEqual(truth!.oldest - 1);

  // Every partition of the command topic is reported for this group; everything was processed and committed.
  const lag = await eventually(async () => {
    const current = allOf(await scrape(), 'backoffice_consumer_lag_messages', { group: stack.config.KAFKA_GROUP_ID, topic: pipeline.topics.commands });
    return current.length === PARTITIONS && current.every((s) => s.value === 0) ? current : undefined;
  }, 15_000);
  expect(lag.map((s) => s.labels.partition).sort()).toEqual(['0', '1', '2']);

  expect(valueOf(samples, 'backoffice_dlq_messages_total', { reason: 'BAD_MAGIC_BYTE' })).toBe(1);
  expect(valueOf(samples, 'backoffice_commands_total', { type: 'SubmitApplication', outcome: 'accepted' })).toBe(4);
  expect(valueOf(samples, 'backoffice_commands_total', { type: 'ApproveApplication', outcome: 'accepted' })).toBe(1);
  expect(valueOf(samples, 'backoffice_commands_total', { type: 'unknown', outcome: 'dlq' })).toBe(1);
  expect(valueOf(samples, 'backoffice_processor_transaction_seconds_count')).toBeGreaterThanOrEqual(1);
  expect(valueOf(samples, 'backoffice_processor_transaction_seconds_sum')).toBeGreaterThan(0);
  expect(valueOf(samples, 'backoffice_command_processing_seconds_count')).toBe(7);
  expect(valueOf(samples, 'backoffice_http_request_duration_seconds_count', { method: 'GET', route: '/applications/:id', status: '200' })).toBe(1);
  expect(valueOf(samples, 'backoffice_ops_collector_last_success_timestamp_seconds', { collector: 'consumer_lag' })).toBeGreaterThan(started / 1000);
  expect(valueOf(samples, 'backoffice_ops_collector_last_success_timestamp_seconds', { collector: 'database' })).toBeGreaterThan(started / 1000);
  expect(valueOf(samples, 'backoffice_ops_collector_errors_total', { collector: 'database' })).toBe(0);

  // A decision moves the gauges: one fewer pending.
  const [late] = await pipeline.sender.send([approve(c!.applicationId, master)]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, late!.commandId));
  await eventually(async () => (valueOf(await scrape(), 'backoffice_applications_pending') === 1 ? true : undefined), 15_000);
  expect(valueOf(await scrape(), 'backoffice_applications_overdue')).toBe(0);

  // The one still pending, submitted longer ago than the review deadline (48 hours by default), is overdue.
  await stack.db.query(`UPDATE applications SET created_at = now() - interval '49 hours' WHERE id = $1`, [d!.applicationId]);
  await eventually(async () => (valueOf(await scrape(), 'backoffice_applications_overdue') === 1 ? true : undefined), 15_000);
});

// Literal, not METRIC_PREFIX: the name operators' dashboards and alerts select is the contract.
test('every metric GET /metrics exports, the default Node ones included, is named backoffice_...', async () => {
  const response = await pipeline.http('/metrics');
  expect(response.status).toBe(200);
  const text = response.body as string;
  const names = [...new Set([...declaredMetrics(text), ...parseMetrics(text).map((sample) => sample.name)])];
  expect(names).toEqual(expect.arrayContaining([
    'backoffice_commands_total', 'backoffice_outbox_backlog', 'backoffice_http_request_duration_seconds_bucket',
    'backoffice_service_ready', 'backoffice_processor_stalled_step', 'backoffice_process_cpu_seconds_total', 'backoffice_nodejs_eventloop_lag_p99_seconds',
  ]));
  expect(names.filter((name) => !name.startsWith('backoffice_'))).toEqual([]);
});

test('consumer lag grows while the database holds the processor back, and drains to 0 when it lets go', async () => {
  const group = { group: stack.config.KAFKA_GROUP_ID, topic: pipeline.topics.commands };
  const totalLag = async () => allOf(await scrape(), 'backoffice_consumer_lag_messages', group).reduce((sum, s) => sum + s.value, 0);
  await eventually(async () => ((await totalLag()) === 0 ? true : undefined), 15_000);

  // The processor locks the applications it touches; an exclusive lock makes its batch wait uncommitted.
  const blocker = new pg.Client({ connectionString: stack.config.DATABASE_URL });
  await blocker.connect();
  let locked = true;
  try {
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE applications IN ACCESS EXCLUSIVE MODE');
    const held = await pipeline.sender.send([submitNew('owner-lag'), submitNew('owner-lag'), submitNew('owner-lag'), submitNew('owner-lag'), submitNew('owner-lag')]);
    expect(await eventually(async () => ((await totalLag()) === held.length ? held.length : undefined), 15_000)).toBe(5);

    await blocker.query('COMMIT');
    locked = false;
    await pipeline.reader.waitFor((m) => held.some((cmd) => forCommand(pipeline.topics.events, cmd.commandId)(m)), held.length);
    await eventually(async () => ((await totalLag()) === 0 ? true : undefined), 15_000);
  } finally {
    if (locked) await blocker.query('ROLLBACK').catch(() => {});
    await blocker.end();
  }
});

/** A kafkajs-shaped client whose admin answers from canned offsets, for the group (OffsetFetch) path. */
function fakeKafka(answers: { ends: PartitionEnd[]; committed: () => Promise<{ partition: number; offset: string }[]> }) {
  const calls = { fetchOffsets: 0 };
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    fetchTopicOffsets: async () => answers.ends.map((end) => ({ ...end, offset: end.high })),
    fetchOffsets: async ({ topics }: { topics: string[] }) => {
      calls.fetchOffsets += 1;
      const partitions = await answers.committed();
      return topics.map((topic) => ({ topic, partitions: partitions.map((p) => ({ ...p, metadata: null })) }));
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, calls };
}

test('with a broker that answers OffsetFetch to anyone, lag is the group\'s view of every partition', async () => {
  const { kafka, calls } = fakeKafka({
    ends: [{ partition: 0, high: '10', low: '0' }, { partition: 1, high: '4', low: '0' }, { partition: 2, high: '9', low: '3' }],
    committed: async () => [{ partition: 0, offset: '7' }, { partition: 1, offset: '4' }, { partition: 2, offset: '-1' }],
  });
  const metrics = createMetrics();
  const collector = consumerLagCollector({ kafka, groupId: 'g', topics: ['commands'], metrics, logger: pino({ level: 'silent' }) });
  await collector.poll();
  await collector.poll();
  const lag = allOf(parseMetrics(await metrics.registry.metrics()), 'backoffice_consumer_lag_messages', { group: 'g', topic: 'commands' });
  expect(new Map(lag.map((s) => [s.labels.partition, s.value]))).toEqual(new Map([['0', 3], ['1', 0], ['2', 6]]));
  expect(collector.source()).toBe('group');
  expect(calls.fetchOffsets).toBe(2);
});

test('a broker that refuses OffsetFetch to non-members switches the collector to its own commits once', async () => {
  const refusal = Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID', code: 25 });
  const { kafka, calls } = fakeKafka({ ends: [{ partition: 0, high: '5', low: '0' }], committed: async () => { throw refusal; } });
  const listeners = new Map<string, (event: { payload: any }) => void>();
  const consumer = {
    events: { GROUP_JOIN: 'join', COMMIT_OFFSETS: 'commit', STOP: 'stop', CRASH: 'crash' },
    on: (name: string, listener: (event: { payload: any }) => void) => { listeners.set(name, listener); return () => listeners.delete(name); },
  } as unknown as Consumer;
  const metrics = createMetrics();
  const collector = consumerLagCollector({ kafka, consumer, groupId: 'g', topics: ['commands'], metrics, logger: pino({ level: 'silent' }) });
  listeners.get('join')!({ payload: { memberAssignment: { commands: [0] } } });
  await collector.poll();
  expect(collector.source()).toBe('own-commits');
  // Assigned, nothing committed by this instance yet: everything on it counts, as for a fresh group.
  expect(valueOf(parseMetrics(await metrics.registry.metrics()), 'backoffice_consumer_lag_messages', { partition: '0' })).toBe(5);
  listeners.get('commit')!({ payload: { topics: [{ topic: 'commands', partitions: [{ partition: 0, offset: '2' }] }] } });
  await collector.poll();
  expect(valueOf(parseMetrics(await metrics.registry.metrics()), 'backoffice_consumer_lag_messages', { partition: '0' })).toBe(3);
  expect(calls.fetchOffsets).toBe(1);
  await collector.close();
  expect(listeners.size).toBe(0);
});

test('lagByPartition: no commit means everything retained, a commit past the end means none', () => {
  const ends = [{ partition: 0, high: '10', low: '0' }, { partition: 1, high: '10', low: '4' }, { partition: 2, high: '5', low: '0' }, { partition: 3, high: '7', low: '7' }];
  const committed = [{ partition: 0, offset: '7' }, { partition: 1, offset: '-1' }, { partition: 2, offset: '9' }];
  expect(lagByPartition(ends, committed)).toEqual(new Map([[0, 3], [1, 6], [2, 0], [3, 0]]));
});

test('a collector whose dependency is down counts errors, keeps the others going and never throws', async () => {
  const deadBroker = new Kafka({ brokers: [`127.0.0.1:${await freePort()}`], retry: { retries: 0 }, connectionTimeout: 500, logLevel: logLevel.NOTHING });
  const metrics = createMetrics();
  const db = await connectDatabase(stack.config.DATABASE_URL, 2);
  try {
    const collectors = startOpsCollectors({
      kafka: deadBroker, db, metrics, logger: pino({ level: 'silent' }), groupId: 'nobody', topics: pipeline.topics, intervalMs: 60_000, reviewDeadlineHours: 48,
    });
    await collectors.pollNow();
    await collectors.stop();
    const samples = parseMetrics(await metrics.registry.metrics());
    expect(valueOf(samples, 'backoffice_ops_collector_errors_total', { collector: 'consumer_lag' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'backoffice_ops_collector_errors_total', { collector: 'database' })).toBe(0);
    expect(valueOf(samples, 'backoffice_ops_collector_last_success_timestamp_seconds', { collector: 'database' })).toBeGreaterThan(started / 1000);
    expect(allOf(samples, 'backoffice_consumer_lag_messages')).toEqual([]);
  } finally {
    await db.end();
  }
});
