import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { approve, forCommand, submitNew } from '../support/commands.ts';
import { openEventStream, type StreamedEvent } from '../support/event-stream.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let pipeline: Pipeline;
let master: string;
beforeAll(async () => {
  stack = await startTestStack();
  pipeline = await startPipeline(stack);
  master = await stack.token('MASTER', 'admin-live');
});
afterAll(async () => {
  await pipeline?.stop();
  await stack?.stop();
});

const url = () => `http://127.0.0.1:${pipeline.service.httpPort}/events`;
const outcomes = (events: StreamedEvent[]) => events.filter((e) => e.event === 'outcome').map((e) => JSON.parse(e.data) as Record<string, unknown>);
const has = (applicationId: string, type: string) => (events: StreamedEvent[]) =>
  outcomes(events).some((o) => o.applicationId === applicationId && o.type === type);

test('a MASTER sees every outcome as it is committed, with who decided; an OWNER only its own applications\'', async () => {
  const ownerA = `owner-${randomUUID()}`;
  const ownerB = `owner-${randomUUID()}`;
  const all = await openEventStream(url(), master);
  const mine = await openEventStream(url(), await stack.token('OWNER', ownerA));
  try {
    expect([all.status, mine.status]).toEqual([200, 200]);
    const [a, b] = await pipeline.sender.send([submitNew(ownerA), submitNew(ownerB)]);
    await all.until((events) => has(a!.applicationId, 'ApplicationSubmitted')(events) && has(b!.applicationId, 'ApplicationSubmitted')(events));
    await pipeline.sender.send([approve(a!.applicationId, master)]);
    const seen = await all.until(has(a!.applicationId, 'ApplicationApproved'));
    expect(outcomes(seen).find((o) => o.type === 'ApplicationApproved')).toMatchObject({ applicantId: ownerA, adminId: 'admin-live', version: 2 });
    // By the time the MASTER's stream had the approval, so had the owner's feed (one reader fans out to both).
    const own = await mine.until(has(a!.applicationId, 'ApplicationApproved'));
    expect(new Set(outcomes(own).map((o) => o.applicantId))).toEqual(new Set([ownerA]));
    expect(outcomes(own).map((o) => o.type)).toEqual(['ApplicationSubmitted', 'ApplicationApproved']);
  } finally {
    all.close();
    mine.close();
  }
});

test('a client that reconnects with the last id it saw gets exactly what it missed, in order', async () => {
  const owner = `owner-${randomUUID()}`;
  const token = await stack.token('OWNER', owner);
  const first = await openEventStream(url(), token);
  const [a] = await pipeline.sender.send([submitNew(owner)]);
  await first.until(has(a!.applicationId, 'ApplicationSubmitted'));
  const resumeFrom = first.lastEventId()!;
  first.close();

  // Committed while nobody listens: their outcomes are on the topic (so in the database) before the client is back.
  const missed = await pipeline.sender.send([submitNew(owner), submitNew(owner)]);
  const [decision] = await pipeline.sender.send([approve(a!.applicationId, master)]);
  for (const command of [...missed, decision!]) await pipeline.reader.waitFor(forCommand(pipeline.topics.events, command.commandId));

  const again = await openEventStream(url(), token, resumeFrom);
  try {
    const seen = await again.until(has(a!.applicationId, 'ApplicationApproved'));
    const got = outcomes(seen);
    expect(got.map((o) => o.applicationId).sort()).toEqual([...missed.map((m) => m.applicationId), a!.applicationId].sort());
    expect(got.filter((o) => o.applicationId === a!.applicationId).map((o) => o.type)).toEqual(['ApplicationApproved']);
    expect(new Set(got.map((o) => o.eventId)).size).toBe(got.length);
  } finally {
    again.close();
  }
});

test('a client that joins without a last id gets what is committed after it joined, not what was committed while nobody listened', async () => {
  const owner = `owner-${randomUUID()}`;
  const token = await stack.token('OWNER', owner);
  const before = await pipeline.sender.send([submitNew(owner), submitNew(owner)]);
  for (const command of before) await pipeline.reader.waitFor(forCommand(pipeline.topics.events, command.commandId));
  const stream = await openEventStream(url(), token);
  try {
    const [after] = await pipeline.sender.send([submitNew(owner)]);
    const got = outcomes(await stream.until(has(after!.applicationId, 'ApplicationSubmitted')));
    expect(got.map((o) => o.applicationId)).toEqual([after!.applicationId]);
  } finally {
    stream.close();
  }
});

test('an outcome committed after a later one is still delivered, and first: the stream follows commits without gaps', async () => {
  const owner = `owner-${randomUUID()}`;
  const [early] = await pipeline.sender.send([submitNew(owner)]);
  const stream = await openEventStream(url(), master);
  await pipeline.reader.waitFor((m) => m.key === early!.applicationId);
  // A writer that took its transaction id first and commits last, as a slow batch would.
  const slow = new pg.Client({ connectionString: stack.config.DATABASE_URL });
  await slow.connect();
  try {
    await slow.query('BEGIN');
    const slowEventId = randomUUID();
    await slow.query(`INSERT INTO application_events (event_id, application_id, command_id, version, type, payload, occurred_at)
      VALUES ($1, $2, $3, 2, 'ApplicationAmended', '{}', now())`, [slowEventId, early!.applicationId, randomUUID()]);
    const [late] = await pipeline.sender.send([submitNew(owner)]);
    await pipeline.reader.waitFor((m) => m.key === late!.applicationId);
    await slow.query('COMMIT');
    const seen = outcomes(await stream.until((events) => has(late!.applicationId, 'ApplicationSubmitted')(events)));
    const order = seen.map((o) => o.eventId);
    expect(order).toContain(slowEventId);
    expect(order.indexOf(slowEventId)).toBeLessThan(order.findIndex((id) => seen.find((o) => o.eventId === id)!.applicationId === late!.applicationId));
  } finally {
    stream.close();
    await slow.end();
  }
});

/** An unlabelled counter or gauge has its one series from the start. */
const value = async (metric: { get(): Promise<{ values: { value: number }[] }> }) => (await metric.get()).values[0]!.value;

test('with no stream open the feed reads nothing, however many commits it is told of; a stream that opens is fed again', async () => {
  const { metrics } = pipeline.service;
  await eventually(async () => ((await value(metrics.liveSubscribers)) === 0 ? true : undefined));
  const [reads, notified] = [await value(metrics.liveReads), await value(metrics.liveNotifications)];
  const owner = `owner-${randomUUID()}`;
  for (const command of await pipeline.sender.send([submitNew(owner), submitNew(owner)])) {
    await pipeline.reader.waitFor(forCommand(pipeline.topics.events, command.commandId));
  }
  await eventually(async () => ((await value(metrics.liveNotifications)) > notified ? true : undefined));
  expect(await value(metrics.liveReads)).toBe(reads);

  const stream = await openEventStream(url(), master);
  try {
    expect(await value(metrics.liveSubscribers)).toBe(1);
    const [after] = await pipeline.sender.send([submitNew(owner)]);
    await stream.until(has(after!.applicationId, 'ApplicationSubmitted'));
    expect(await value(metrics.liveReads)).toBeGreaterThan(reads);
  } finally {
    stream.close();
  }
});

test('a bad Last-Event-ID is a 400 problem and no token a 401, each before anything streams', async () => {
  const bad = await fetch(url(), { headers: { authorization: `Bearer ${master}`, 'last-event-id': 'yesterday' } });
  expect([bad.status, bad.headers.get('content-type')]).toEqual([400, 'application/problem+json; charset=utf-8']);
  const anonymous = await fetch(url());
  expect(anonymous.status).toBe(401);
});
