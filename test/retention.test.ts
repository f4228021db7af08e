import { randomUUID } from 'node:crypto';
import { forCommand, payloadOf, submitNew, withdraw } from './support/commands.ts';
import { parseMetrics, valueOf } from './support/metrics.ts';
import { eventually, startPipeline, type Pipeline } from './support/pipeline.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

/**
 * The tables that grow with every command stay bounded: published outbox rows are deleted after
 * OUTBOX_RETENTION_SECONDS, processed commands after IDEMPOTENCY_WINDOW_DAYS. Unpublished rows
 * and commands inside the window are kept, and a redelivery after the window is a new command.
 */
let stack: TestStack;
let pipeline: Pipeline;

beforeAll(async () => {
  stack = await startTestStack({ env: { OUTBOX_RETENTION_SECONDS: '1', RETENTION_SWEEP_INTERVAL_MS: '200' } });
  pipeline = await startPipeline(stack);
});
afterAll(async () => {
  await pipeline?.stop();
  await stack?.stop();
});

const count = async (query: string, values: unknown[] = []) => Number((await stack.db.query(query, values)).rows[0].n);
// eslint-disable-next-line honesty/no-default-figure -- every use asserts > 0 or growth, which an absent metric read as 0 fails
const metric = async (name: string, labels: Record<string, string>) => valueOf(parseMetrics(await pipeline.metricsText()), name, labels) ?? 0;

/** Resolves after two sweeps have completed from now: whatever one sweep would delete is gone. */
async function twoSweeps(): Promise<void> {
  const from = await metric('backoffice_ops_collector_last_success_timestamp_seconds', { collector: 'retention' });
  let seen = from;
  let sweeps = 0;
  await eventually(async () => {
    const last = await metric('backoffice_ops_collector_last_success_timestamp_seconds', { collector: 'retention' });
    if (last > seen) { sweeps += 1; seen = last; }
    return sweeps >= 2 ? true : undefined;
  });
}

test('published outbox rows are deleted after the retention; a row above its partition\'s watermark is kept however old', async () => {
  const stuck = randomUUID();
  const stuckAbove = randomUUID();
  const old = (eventId: string, partition: number) => stack.db.query(
    `INSERT INTO outbox_rows (event_id, source_partition, topic, key, value, created_at) VALUES ($1, $2, $3, 'k', NULL, now() - interval '30 days') RETURNING id`,
    [eventId, partition, pipeline.topics.events]);
  // Partition 999 has no watermark; 998's stops just below its row.
  await old(stuck, 999);
  const { id } = (await old(stuckAbove, 998)).rows[0];
  await stack.db.query(`INSERT INTO outbox_published (source_partition, published_id) VALUES (998, $1)`, [BigInt(id) - 1n]);
  const [command] = await pipeline.sender.send([submitNew('owner-retention')]);
  const [event] = await pipeline.reader.waitFor(forCommand(pipeline.topics.events, command!.commandId));
  const eventId = event!.headers['event-id'];
  // Published and marked first (kept for the retention), then deleted by a sweep.
  await eventually(async () => (await metric('backoffice_retention_deleted_rows_total', { table: 'outbox' })) > 0 ? true : undefined);
  await eventually(async () => (await count(`SELECT count(*) AS n FROM outbox WHERE event_id = $1`, [eventId])) === 0 ? true : undefined);
  await twoSweeps();
  expect(await count(`SELECT count(*) AS n FROM outbox WHERE event_id = ANY($1) AND published_at IS NULL`, [[stuck, stuckAbove]])).toBe(2);
  await stack.db.query(`DELETE FROM outbox_rows WHERE event_id = ANY($1)`, [[stuck, stuckAbove]]);
});

test('the gateway\'s recorded Idempotency-Keys leave with the same window', async () => {
  const record = (age: string) => stack.db.query(
    `INSERT INTO gateway_commands (command_id, fingerprint, application_id, command_type, requested_by, value, requested_at)
     VALUES ($1, 'f', $2, 'SubmitApplication', 'owner', '\\x00', now() - $3::interval) RETURNING command_id`, [randomUUID(), randomUUID(), age]);
  const old = (await record('7 days 1 minute')).rows[0].command_id;
  const recent = (await record('6 days 23 hours')).rows[0].command_id;
  await eventually(async () => (await count(`SELECT count(*) AS n FROM gateway_commands WHERE command_id = $1`, [old])) === 0 ? true : undefined);
  await twoSweeps();
  expect(await count(`SELECT count(*) AS n FROM gateway_commands WHERE command_id = $1`, [recent])).toBe(1);
});

test('a processed command leaves the idempotency window after 7 days; a redelivery then gets the answer the rules give now', async () => {
  const old = submitNew('owner-window');
  const recent = submitNew('owner-window');
  const [oldCommand, recentCommand] = await pipeline.sender.send([old, recent]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, recentCommand!.commandId));
  const [first] = await pipeline.reader.waitFor(forCommand(pipeline.topics.events, oldCommand!.commandId));
  expect(payloadOf(first!).type).toBe('ApplicationSubmitted');
  await stack.db.query(`UPDATE processed_commands SET processed_at = now() - interval '7 days 1 minute' WHERE command_id = $1`, [oldCommand!.commandId]);
  await stack.db.query(`UPDATE processed_commands SET processed_at = now() - interval '6 days 23 hours' WHERE command_id = $1`, [recentCommand!.commandId]);

  await eventually(async () => (await count(`SELECT count(*) AS n FROM processed_commands WHERE command_id = $1`, [oldCommand!.commandId])) === 0 ? true : undefined);
  await twoSweeps();
  expect(await count(`SELECT count(*) AS n FROM processed_commands WHERE command_id = $1`, [recentCommand!.commandId])).toBe(1);
  expect(await metric('backoffice_retention_deleted_rows_total', { table: 'processed_commands' })).toBeGreaterThanOrEqual(1);

  // The same record again, past the window: judged as a new command against today's state, and
  // recorded so; its event id is the original's, which the history holds, so no second event
  // appears under it.
  await pipeline.sender.send([{ ...old, commandId: oldCommand!.commandId, issuedAt: oldCommand!.issuedAt } as typeof old]);
  const [withdrawn] = await pipeline.sender.send([withdraw(oldCommand!.applicationId, 'owner-window')]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, withdrawn!.commandId));
  expect((await stack.db.query(`SELECT outcome FROM processed_commands WHERE command_id = $1`, [oldCommand!.commandId])).rows).toEqual([{ outcome: 'REJECTED:ALREADY_EXISTS' }]);
  expect(pipeline.reader.messages.filter(forCommand(pipeline.topics.events, oldCommand!.commandId))).toHaveLength(1);
  expect(await count(`SELECT count(*) AS n FROM applications WHERE id = $1`, [oldCommand!.applicationId])).toBe(1);
});

test('a reused commandId delivered again after its rejection left the outbox gets no second, different event under the same id', async () => {
  const original = submitNew('owner-reuse');
  const [sent] = await pipeline.sender.send([original]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, sent!.commandId));
  const reuse = { ...submitNew('owner-reuse', 'EXHIBITION', sent!.applicationId), commandId: sent!.commandId, issuedAt: Date.now() };
  await pipeline.sender.send([reuse]);
  const [, rejected] = await pipeline.reader.waitFor(forCommand(pipeline.topics.events, sent!.commandId), 2);
  expect(payloadOf(rejected!)).toMatchObject({ type: 'CommandRejected', body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  await eventually(async () => (await count(`SELECT count(*) AS n FROM outbox WHERE event_id = $1`, [rejected!.headers['event-id']])) === 0 ? true : undefined);
  // Delivered again once its row is gone, then a command behind it on the same key.
  await pipeline.sender.send([reuse]);
  const [withdrawn] = await pipeline.sender.send([withdraw(sent!.applicationId, 'owner-reuse')]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, withdrawn!.commandId));
  expect(pipeline.reader.messages.filter(forCommand(pipeline.topics.events, sent!.commandId))).toHaveLength(2);
});
