import { randomUUID } from 'node:crypto';
import type { Reply } from './harness.ts';
import { openEventStream } from '../support/event-stream.ts';
import { eventually } from '../support/pipeline.ts';
import { submitNew } from '../support/commands.ts';
import { pipelineSuite } from '../support/suite.ts';

/**
 * Review claims and reviewer notes on the running service: the gateway's MASTER-only routes, the
 * processor applying them (one writer, audited), the read side showing claims and notes to
 * MASTERs, and not one owner-visible route, stream or topic carrying a note's text.
 */

const suite = pipelineSuite('admin-claims');
const base = () => `http://127.0.0.1:${suite.pipeline.service.httpPort}`;

async function call(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${base()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  return { status: response.status, headers: response.headers, contentType, body: /json/.test(contentType) && text !== '' ? JSON.parse(text) : text };
}

/** A command through the gateway: 202 with its Location, then the outcome the processor recorded. */
async function command(method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) {
  const accepted = await call(method, path, token, body, headers);
  expect(accepted.status).toBe(202);
  expect(accepted.headers.get('location')).toBe(`/commands/${accepted.body.commandId}`);
  return eventually(async () => {
    const reply = await call('GET', accepted.headers.get('location')!, token);
    return reply.body.status === 'PENDING' ? undefined : { ...reply.body, commandId: accepted.body.commandId as string };
  });
}

const tokens = <T extends string[]>(...admins: T) =>
  Promise.all(admins.map((admin) => suite.stack.token('MASTER', admin))) as Promise<{ [K in keyof T]: string }>;
async function pendingApplication(owner = `owner-${randomUUID().slice(0, 8)}`) {
  const { command: submitted } = await suite.run(submitNew(owner, 'RESTAURANT'));
  return { id: submitted.applicationId, owner, ownerToken: await suite.stack.token('OWNER', owner) };
}

test('claim, ALREADY_CLAIMED for the second admin, take-over, a decision only by the holder: applied by the processor and audited', async () => {
  const [adminA, adminB] = await tokens('claims-a', 'claims-b');
  const { id } = await pendingApplication();

  expect(await command('POST', `/applications/${id}/review-claim`, adminA)).toMatchObject({ status: 'ACCEPTED', outcome: 'ReviewClaimed', commandType: 'ClaimReview' });
  const claimed = (await call('GET', `/applications/${id}`, adminB)).body;
  expect(claimed.reviewClaim).toEqual({ adminId: 'claims-a', since: expect.any(String), expiresAt: expect.any(String) });
  // REVIEW_CLAIM_MINUTES (15 by default) from the claim.
  expect(Date.parse(claimed.reviewClaim.expiresAt) - Date.parse(claimed.reviewClaim.since)).toBe(15 * 60_000);
  expect(claimed.version).toBe(1);
  const listed = (await call('GET', '/applications?status=PENDING&limit=100', adminB)).body.items.find((a: { id: string }) => a.id === id);
  expect(listed.reviewClaim.adminId).toBe('claims-a');

  const refused = await command('POST', `/applications/${id}/review-claim`, adminB, {});
  expect(refused).toMatchObject({ status: 'REJECTED', code: 'ALREADY_CLAIMED', message: expect.stringContaining('being reviewed by claims-a') });
  expect(await command('POST', `/applications/${id}/approve`, adminB, {})).toMatchObject({ status: 'REJECTED', code: 'CLAIMED_BY_OTHER' });
  expect(await command('DELETE', `/applications/${id}/review-claim`, adminB)).toMatchObject({ status: 'REJECTED', code: 'CLAIMED_BY_OTHER' });

  const takeOver = await command('POST', `/applications/${id}/review-claim`, adminB, { takeOver: true });
  expect(takeOver).toMatchObject({ status: 'ACCEPTED', outcome: 'ReviewClaimed' });
  expect((await call('GET', `/applications/${id}`, adminA)).body.reviewClaim.adminId).toBe('claims-b');
  expect(await command('POST', `/applications/${id}/reject`, adminA, { reason: '서류 미비' })).toMatchObject({ status: 'REJECTED', code: 'CLAIMED_BY_OTHER' });
  expect(await command('POST', `/applications/${id}/approve`, adminB, {})).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationApproved', version: 2 });
  expect((await call('GET', `/applications/${id}`, adminA)).body).toMatchObject({ status: 'APPROVED', reviewClaim: null });

  const actions = (await call('GET', `/applications/${id}/actions`, adminA)).body.items.map((a: { adminId: string; action: string; reason: string | null }) => [a.adminId, a.action, a.reason]);
  expect(actions).toEqual([['claims-a', 'CLAIM', null], ['claims-b', 'TAKE_OVER', 'taken over from claims-a'], ['claims-b', 'APPROVE', null]]);
  const audit = (await call('GET', `/admin-actions?action=TAKE_OVER&applicationId=${id}`, adminA)).body.items;
  expect(audit).toEqual([expect.objectContaining({ adminId: 'claims-b', action: 'TAKE_OVER', commandId: takeOver.commandId })]);
  const events = await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.events && m.key === id && (m.value as { commandId: string }).commandId === takeOver.commandId);
  expect((events[0]!.value as { payload: unknown }).payload).toEqual({
    'platform.backoffice.ReviewClaimed': { adminId: 'claims-b', since: expect.any(Number), expiresAt: expect.any(Number), takenOverFrom: 'claims-a' },
  });
});

test('two admins claiming at once: exactly one wins, the other hears ALREADY_CLAIMED naming the winner', async () => {
  const [adminA, adminB] = await tokens('race-a', 'race-b');
  const { id } = await pendingApplication();
  const outcomes = await Promise.all([adminA, adminB].map((token) => command('POST', `/applications/${id}/review-claim`, token)));
  const accepted = outcomes.filter((o) => o.status === 'ACCEPTED');
  const refused = outcomes.filter((o) => o.status === 'REJECTED');
  expect(accepted).toHaveLength(1);
  expect(refused).toEqual([expect.objectContaining({ code: 'ALREADY_CLAIMED' })]);
  const holder = (await call('GET', `/applications/${id}`, adminA)).body.reviewClaim.adminId as string;
  expect(['race-a', 'race-b']).toContain(holder);
  expect(refused[0]!.message).toContain(`being reviewed by ${holder}`);
  const claims = (await call('GET', `/applications/${id}/actions`, adminA)).body.items;
  expect(claims).toEqual([expect.objectContaining({ adminId: holder, action: 'CLAIM' })]);
});

test('release ends the claim; the gateway routes are MASTER only and replay one Idempotency-Key as one command', async () => {
  const [admin] = await tokens('release-a');
  const { id, ownerToken } = await pendingApplication();
  const key = randomUUID();
  const first = await call('POST', `/applications/${id}/review-claim`, admin, {}, { 'Idempotency-Key': key });
  const again = await call('POST', `/applications/${id}/review-claim`, admin, {}, { 'Idempotency-Key': key });
  expect([first.status, again.status]).toEqual([202, 202]);
  expect(again.body.commandId).toBe(key);
  await eventually(async () => ((await call('GET', `/applications/${id}`, admin)).body.reviewClaim ?? undefined));
  expect(await command('DELETE', `/applications/${id}/review-claim`, admin)).toMatchObject({ status: 'ACCEPTED', outcome: 'ReviewReleased' });
  expect((await call('GET', `/applications/${id}`, admin)).body.reviewClaim).toBeNull();
  expect(await command('DELETE', `/applications/${id}/review-claim`, admin)).toMatchObject({ status: 'REJECTED', code: 'NOT_CLAIMED' });
  expect((await call('GET', `/applications/${id}/actions`, admin)).body.items.map((a: { action: string }) => a.action)).toEqual(['CLAIM', 'RELEASE']);

  for (const [method, path, body] of [['POST', 'review-claim', {}], ['DELETE', 'review-claim', undefined], ['POST', 'notes', { text: '메모' }], ['GET', 'notes', undefined]] as const) {
    const reply = await call(method, `/applications/${id}/${path}`, ownerToken, body);
    expect([method, path, reply.status]).toEqual([method, path, 403]);
  }
  const blank = await call('POST', `/applications/${id}/notes`, admin, { text: '   ' });
  expect(blank.status).toBe(400);
  expect(blank.body.errors).toEqual([{ path: 'text', message: 'must not be blank' }]);
  expect((await call('POST', `/applications/${id}/review-claim`, admin, { takeOver: 'yes' })).status).toBe(400);
});

test('a reviewer note: MASTERs read it with author and time; no owner-visible route, stream, topic or notification carries it', async () => {
  const [admin, decider] = await tokens('notes-a', 'notes-decider');
  const { id, owner, ownerToken } = await pendingApplication();
  const secret = `비공개 메모 ${randomUUID()}`;
  const ownerStream = await openEventStream(`${base()}/events`, ownerToken);
  const masterStream = await openEventStream(`${base()}/events`, admin);
  try {
    const added = await command('POST', `/applications/${id}/notes`, admin, { text: `  ${secret}  ` });
    expect(added).toMatchObject({ status: 'ACCEPTED', outcome: 'ReviewerNoteAdded' });
    const notes = (await call('GET', `/applications/${id}/notes`, admin)).body.items;
    expect(notes).toEqual([{ noteId: expect.any(String), adminId: 'notes-a', text: secret, commandId: added.commandId, at: expect.any(String) }]);
    // A claim and its release too, which an owner must not see either; then a decision by another admin, which the owner
    // does see, as a marker that the stream is current. So the note's author appears nowhere the owner reads.
    await command('POST', `/applications/${id}/review-claim`, admin);
    await command('DELETE', `/applications/${id}/review-claim`, admin);
    await command('POST', `/applications/${id}/approve`, decider, {});
    // The submission may or may not reach a stream opened just after it (the feed's position then); everything after it does.
    const typesAfterSubmit = (events: { data: string }[]) =>
      events.map((e) => JSON.parse(e.data)).filter((e) => e.applicationId === id && e.type !== 'ApplicationSubmitted').map((e) => e.type);
    const seen = await ownerStream.until((events) => events.some((e) => JSON.parse(e.data).type === 'ApplicationApproved'));
    expect(typesAfterSubmit(seen)).toEqual(['ApplicationApproved']);
    const master = await masterStream.until((events) => events.some((e) => JSON.parse(e.data).type === 'ApplicationApproved' && JSON.parse(e.data).applicationId === id));
    expect(typesAfterSubmit(master)).toEqual(['ReviewerNoteAdded', 'ReviewClaimed', 'ReviewReleased', 'ApplicationApproved']);
    expect(JSON.stringify(master)).not.toContain(secret);

    const listingId = (await call('GET', `/applications/${id}`, admin)).body.listingId as string;
    const routes = [
      `/applications/${id}`, `/applications/${id}/actions`, `/owners/${owner}/applications`, `/owners/${owner}/listings`, `/listings/${listingId}`,
      `/applications?applicantId=${owner}`, `/applications.csv?applicantId=${owner}`,
    ];
    for (const route of routes) {
      const reply = await call('GET', route, ownerToken);
      expect([route, reply.status]).toEqual([route, 200]);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      expect([route, text.includes(secret), text.includes('ReviewerNoteAdded'), text.includes('notes-a')]).toEqual([route, false, false, false]);
    }
    // The note's command concerns the owner's application, but its status is the reviewers' to read.
    const status = await call('GET', `/commands/${added.commandId}`, ownerToken);
    expect(status.status).toBe(403);
    expect(JSON.stringify(status.body)).not.toContain(secret);
    const own = (await call('GET', `/applications/${id}`, ownerToken)).body;
    expect(own.reviewClaim).toBeNull();
    expect(own.history.map((e: { type: string }) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationApproved']);
    expect((await call('GET', `/applications/${id}`, admin)).body.history.map((e: { type: string }) => e.type))
      .toEqual(['ApplicationSubmitted', 'ReviewerNoteAdded', 'ReviewClaimed', 'ReviewReleased', 'ApplicationApproved']);

    // Every outcome topic: the note's event is there for downstream services, its text is not.
    await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.notifications && (m.value as { applicationId: string }).applicationId === id && (m.value as { template: string }).template === 'APPLICATION_APPROVED');
    const about = suite.pipeline.reader.messages.filter((m) => JSON.stringify(m.value).includes(id));
    expect(about.some((m) => JSON.stringify(m.value).includes('ReviewerNoteAdded'))).toBe(true);
    expect(about.filter((m) => JSON.stringify(m.value).includes(secret))).toEqual([]);
    expect(about.filter((m) => m.topic === suite.pipeline.topics.notifications).map((m) => (m.value as { template: string }).template).sort())
      .toEqual(['APPLICATION_APPROVED', 'APPLICATION_AWAITING_REVIEW', 'APPLICATION_RECEIVED']);
    // Nor the history rows the owner's routes and stream are read from.
    const rows = await suite.stack.db.query('SELECT count(*)::int AS n FROM application_events WHERE application_id = $1 AND payload::text LIKE $2', [id, `%${secret}%`]);
    expect(rows.rows[0].n).toBe(0);
  } finally {
    ownerStream.close();
    masterStream.close();
  }
});

test('a note on an unknown application is NOT_FOUND, and its text is stored nowhere', async () => {
  const [admin] = await tokens('notes-b');
  const id = randomUUID();
  const secret = `없는 신청 메모 ${randomUUID()}`;
  expect(await command('POST', `/applications/${id}/notes`, admin, { text: secret })).toMatchObject({ status: 'REJECTED', code: 'NOT_FOUND' });
  expect((await call('GET', `/applications/${id}/notes`, admin)).status).toBe(404);
  const stored = await suite.stack.db.query('SELECT count(*)::int AS n FROM reviewer_notes WHERE text = $1', [secret]);
  expect(stored.rows[0].n).toBe(0);
});
