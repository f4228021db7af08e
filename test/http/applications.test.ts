import { randomUUID } from 'node:crypto';
import { exhibitionDetails, infoChangeContact } from '../fixtures/details.ts';
import { expectProblem, startSuite, walk, type Suite } from './harness.ts';
import { at, insertAdminAction, insertApplication, insertEvent, insertListing, type SeedApplication } from './seed.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

const short = (text: string) => (text.length > 60 ? `${text.slice(0, 50)}…(${text.length} chars)` : text);
const ids = (items: Array<Record<string, unknown>>) => items.map((item) => item.id);
/** `...SS.fff[fff]Z` with the fraction padded to microseconds, so text order is time order. */
const micros = (iso: string) => iso.replace(/\.(\d+)Z$/, (_, fraction: string) => `.${fraction.padEnd(6, '0')}Z`);
/** Expected newest-first order: created_at DESC, id DESC (both compared exactly, as PostgreSQL does). */
const descending = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
const newestFirst = (rows: SeedApplication[]) =>
  [...rows].sort((a, b) => descending(micros(a.createdAt), micros(b.createdAt)) || descending(a.id, b.id)).map((row) => row.id);

describe('GET /applications', () => {
  // Each test below works on applicants of its own so the seeded sets never overlap.
  test('lists newest first with ids breaking ties, in camelCase with ISO timestamps', async () => {
    const applicantId = `order-${randomUUID()}`;
    const rows = [
      await insertApplication(suite.stack.db, { applicantId, createdAt: at(10) }),
      await insertApplication(suite.stack.db, { applicantId, createdAt: at(30) }),
      await insertApplication(suite.stack.db, { applicantId, createdAt: at(20) }),
      await insertApplication(suite.stack.db, { applicantId, createdAt: at(20) }),
      await insertApplication(suite.stack.db, { applicantId, createdAt: at(20) }),
    ];
    const reply = await suite.api.get(`/applications?applicantId=${applicantId}`, suite.master);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(ids(reply.body.items)).toEqual(newestFirst(rows));
    expect(reply.body.nextCursor).toBeNull();
    const first = reply.body.items[0];
    expect(first).toEqual({
      id: rows[1]!.id, name: '을지로 골뱅이집', applicantId, kind: 'NEW_LISTING', contentType: 'RESTAURANT', status: 'PENDING', listingId: null, version: 1,
      details: rows[1]!.details,
      decision: { decidedAt: null, decidedBy: null, rejectionReason: null, decisionNote: null },
      createdAt: '2025-03-01T00:00:30.000Z', updatedAt: '2025-03-01T00:00:30.000Z',
      // PENDING: due the 48 hours of the default review deadline after submission.
      reviewDueAt: '2025-03-03T00:00:30.000Z',
      reviewClaim: null,
    });
  });

  test('an INFO_CHANGE is named by the listing it changes', async () => {
    const applicantId = `named-${randomUUID()}`;
    const listing = await insertListing(suite.stack.db, { name: '성수동 와인바' });
    const change = await insertApplication(suite.stack.db, { applicantId, kind: 'INFO_CHANGE', listingId: listing.id, details: infoChangeContact() });
    const reply = await suite.api.get(`/applications?applicantId=${applicantId}`, suite.master);
    expect(reply.body.items.map((a: { id: string; name: string | null }) => [a.id, a.name])).toEqual([[change.id, '성수동 와인바']]);
    expect((await suite.api.get(`/applications/${change.id}`, suite.master)).body.name).toBe('성수동 와인바');
  });

  test('filters by status, contentType, kind and applicantId, alone and combined', async () => {
    const applicantId = `filters-${randomUUID()}`;
    const other = `filters-other-${randomUUID()}`;
    const pending = await insertApplication(suite.stack.db, { applicantId, createdAt: at(1) });
    const approved = await insertApplication(suite.stack.db, {
      applicantId, status: 'APPROVED', contentType: 'EXHIBITION', details: exhibitionDetails(), createdAt: at(2),
    });
    const change = await insertApplication(suite.stack.db, { applicantId, kind: 'INFO_CHANGE', details: infoChangeContact(), createdAt: at(3) });
    const rejected = await insertApplication(suite.stack.db, { applicantId, status: 'REJECTED', createdAt: at(4), rejectionReason: 'no', decidedAt: at(5), decidedBy: 'admin-1' });
    const foreign = await insertApplication(suite.stack.db, { applicantId: other, status: 'APPROVED', contentType: 'EXHIBITION', createdAt: at(5) });

    const list = async (query: string) => ids((await suite.api.get(`/applications?${query}`, suite.master)).body.items);
    expect(await list(`applicantId=${applicantId}`)).toEqual([rejected.id, change.id, approved.id, pending.id]);
    expect(await list(`applicantId=${applicantId}&status=PENDING`)).toEqual([change.id, pending.id]);
    expect(await list(`applicantId=${applicantId}&status=REJECTED`)).toEqual([rejected.id]);
    expect(await list(`applicantId=${applicantId}&contentType=EXHIBITION`)).toEqual([approved.id]);
    expect(await list(`applicantId=${applicantId}&kind=INFO_CHANGE`)).toEqual([change.id]);
    expect(await list(`applicantId=${applicantId}&kind=NEW_LISTING&status=PENDING`)).toEqual([pending.id]);
    expect(await list(`applicantId=${applicantId}&status=WITHDRAWN`)).toEqual([]);
    const approvedExhibitions = await list('status=APPROVED&contentType=EXHIBITION&limit=100');
    expect(approvedExhibitions).toEqual(expect.arrayContaining([foreign.id, approved.id]));
    expect(approvedExhibitions.indexOf(foreign.id)).toBeLessThan(approvedExhibitions.indexOf(approved.id));
  });

  test('limit defaults to 20 and accepts 1..100', async () => {
    const applicantId = `limit-${randomUUID()}`;
    for (let i = 0; i < 25; i++) await insertApplication(suite.stack.db, { applicantId, createdAt: at(i) });
    const byDefault = await suite.api.get(`/applications?applicantId=${applicantId}`, suite.master);
    expect(byDefault.body.items).toHaveLength(20);
    expect(byDefault.body.nextCursor).toEqual(expect.any(String));
    expect((await suite.api.get(`/applications?applicantId=${applicantId}&limit=1`, suite.master)).body.items).toHaveLength(1);
    const all = await suite.api.get(`/applications?applicantId=${applicantId}&limit=100`, suite.master);
    expect(all.body.items).toHaveLength(25);
    expect(all.body.nextCursor).toBeNull();
  });

  test('walks every row exactly once in order across pages, even rows a microsecond apart', async () => {
    const applicantId = `walk-${randomUUID()}`;
    const rows: SeedApplication[] = [];
    // Eleven rows inside one millisecond (a millisecond-precision cursor would lose some),
    // three sharing one instant exactly, and a few seconds apart.
    for (let i = 0; i < 11; i++) rows.push(await insertApplication(suite.stack.db, { applicantId, createdAt: `2025-03-01T00:01:00.123${String(i).padStart(3, '0')}Z` }));
    for (let i = 0; i < 3; i++) rows.push(await insertApplication(suite.stack.db, { applicantId, createdAt: at(7) }));
    for (let i = 0; i < 4; i++) rows.push(await insertApplication(suite.stack.db, { applicantId, createdAt: at(100 + i) }));
    const expected = newestFirst(rows);
    for (const limit of [1, 2, 3, 7, 18]) {
      const { items, pages } = await walk((cursor) =>
        suite.api.get(`/applications?applicantId=${applicantId}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, suite.master));
      expect(ids(items)).toEqual(expected);
      expect(pages).toBe(Math.ceil(18 / limit));
    }
  });

  test('rows inserted during a walk never shift, repeat or appear out of order', async () => {
    const applicantId = `live-${randomUUID()}`;
    const rows: SeedApplication[] = [];
    for (let i = 0; i < 12; i++) rows.push(await insertApplication(suite.stack.db, { applicantId, createdAt: at(1000 + i * 10) }));
    const inserted: SeedApplication[] = [];
    const seen: string[] = [];
    const { items } = await walk(async (cursor) => {
      const reply = await suite.api.get(`/applications?applicantId=${applicantId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`, suite.master);
      seen.push(...ids(reply.body.items) as string[]);
      return reply;
    }, async (page) => {
      if (page !== 0) return;
      // After the first page (rows at 1110..1080): a brand-new row, newer than everything, and
      // a late row that belongs between rows still ahead of the cursor.
      inserted.push(await insertApplication(suite.stack.db, { applicantId, createdAt: at(5000) }));
      inserted.push(await insertApplication(suite.stack.db, { applicantId, createdAt: at(1035) }));
    });
    const newer = inserted[0]!;
    const late = inserted[1]!;
    expect(ids(items)).toEqual(seen);
    expect(new Set(ids(items)).size).toBe(items.length);
    // The newer row is behind the cursor, so this walk does not see it; the late one lands
    // exactly where it belongs, once.
    expect(ids(items)).toEqual(newestFirst([...rows, late]));
    expect(ids(items)).not.toContain(newer.id);
    // A new walk from the top sees both.
    const again = await walk((cursor) => suite.api.get(`/applications?applicantId=${applicantId}&limit=5${cursor ? `&cursor=${cursor}` : ''}`, suite.master));
    expect(ids(again.items)).toEqual(newestFirst([...rows, ...inserted]));
  });

  test.each([
    ['status=DONE', 'status'],
    ['status=pending', 'status'],
    ['status=PENDING&status=APPROVED', 'status'],
    ['contentType=CINEMA', 'contentType'],
    ['kind=BOTH', 'kind'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    ['cursor=', 'cursor'],
    [`cursor=${Buffer.from('{"k":"t1","at":"2025-13-45T00:00:00.000000Z","id":"00000000-0000-0000-0000-000000000000"}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"k":"t1","at":"2025-01-01T00:00:00.000000Z","id":"nope"}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"k":"i1","id":"5"}').toString('base64url')}`, 'cursor'],
    [`cursor=${'A'.repeat(5000)}`, 'cursor'],
    ['applicantId=%00', 'applicantId'],
    [`applicantId=${'x'.repeat(201)}`, 'applicantId'],
    ['applicantId=a&applicantId=b', 'applicantId'],
  ].map(([query, parameter]) => [short(query!), query!, parameter!]))('?%s is a 400 problem naming the parameter', async (_title, query, parameter) => {
    const reply = await suite.api.get(`/applications?${query}`, suite.master);
    expectProblem(reply, 400, 'invalid-request');
    expect(reply.body.detail).toContain(`'${parameter}'`);
    expect(reply.body.instance).toBe('/applications');
  });

  test('unknown query parameters are ignored', async () => {
    const reply = await suite.api.get('/applications?limit=1&colour=blue&status[]=x', suite.master);
    expect(reply.status).toBe(200);
  });

  test('an OWNER sees only its own applications, implicitly, and is refused another applicantId', async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const mine: SeedApplication[] = [];
    for (let i = 0; i < 7; i++) {
      mine.push(await insertApplication(suite.stack.db, { applicantId: alice, createdAt: at(2000 + i) }));
      await insertApplication(suite.stack.db, { applicantId: bob, createdAt: at(2000 + i) });
    }
    const token = await suite.stack.token('OWNER', alice);
    const { items } = await walk((cursor) => suite.api.get(`/applications?limit=3${cursor ? `&cursor=${cursor}` : ''}`, token));
    expect(ids(items)).toEqual(newestFirst(mine));
    expect(items.every((item) => item.applicantId === alice)).toBe(true);
    const explicit = await suite.api.get(`/applications?applicantId=${alice}&limit=100`, token);
    expect(ids(explicit.body.items)).toEqual(newestFirst(mine));
    const filtered = await suite.api.get('/applications?status=APPROVED', token);
    expect(filtered.body.items).toEqual([]);
    expectProblem(await suite.api.get(`/applications?applicantId=${bob}`, token), 403, 'forbidden');
    // An owner with nothing sees nothing, not everyone's rows.
    const nobody = await suite.stack.token('OWNER', `nobody-${randomUUID()}`);
    expect((await suite.api.get('/applications?limit=100', nobody)).body).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  test('other methods are 405 with Allow, and unknown paths are 404 problems', async () => {
    // POST /applications is the command gateway's submit (test/console/gateway.test.ts).
    const put = await suite.api.request('PUT', '/applications', { authorization: `Bearer ${suite.master}` });
    expectProblem(put, 405, 'method-not-allowed');
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    expectProblem(await suite.api.get('/applicationz', suite.master), 404, 'not-found');
    expectProblem(await suite.api.get(`/applications/${randomUUID()}/nothing`, suite.master), 404, 'not-found');
  });
});

describe('the review claim on the read side', () => {
  const claim = (id: string, adminId: string, sinceMs: number, untilMs: number) => suite.stack.db.query(
    'UPDATE applications SET review_claimed_by = $2, review_claimed_at = $3, review_claim_expires_at = $4 WHERE id = $1',
    [id, adminId, new Date(sinceMs).toISOString(), new Date(untilMs).toISOString()]);

  test('a MASTER sees the live claim on the page and the lists; an expired one, and every claim for the OWNER, is null', async () => {
    const applicantId = `claimed-${randomUUID()}`;
    const live = await insertApplication(suite.stack.db, { applicantId, createdAt: at(1) });
    const expired = await insertApplication(suite.stack.db, { applicantId, createdAt: at(2) });
    const now = Date.now();
    await claim(live.id, 'admin-9', now - 60_000, now + 14 * 60_000);
    await claim(expired.id, 'admin-9', now - 20 * 60_000, now - 5 * 60_000);
    const owner = await suite.ownerToken(applicantId);

    const shown = { adminId: 'admin-9', since: new Date(now - 60_000).toISOString(), expiresAt: new Date(now + 14 * 60_000).toISOString() };
    expect((await suite.api.get(`/applications/${live.id}`, suite.master)).body.reviewClaim).toEqual(shown);
    expect((await suite.api.get(`/applications/${expired.id}`, suite.master)).body.reviewClaim).toBeNull();
    const claims = (items: Array<{ id: string; reviewClaim: unknown }>) => Object.fromEntries(items.map((a) => [a.id, a.reviewClaim]));
    expect(claims((await suite.api.get(`/applications?applicantId=${applicantId}`, suite.master)).body.items)).toEqual({ [live.id]: shown, [expired.id]: null });
    expect(claims((await suite.api.get(`/owners/${applicantId}/applications`, suite.master)).body.items)).toEqual({ [live.id]: shown, [expired.id]: null });

    expect((await suite.api.get(`/applications/${live.id}`, owner)).body.reviewClaim).toBeNull();
    expect(claims((await suite.api.get('/applications', owner)).body.items)).toEqual({ [live.id]: null, [expired.id]: null });
    expect(claims((await suite.api.get(`/owners/${applicantId}/applications`, owner)).body.items)).toEqual({ [live.id]: null, [expired.id]: null });
  });
});

describe('GET /applications/:id', () => {
  test('returns state, details, version, decision and the history in order', async () => {
    const app = await insertApplication(suite.stack.db, {
      applicantId: 'owner-detail', status: 'REJECTED', version: 3, createdAt: '2025-03-02T10:00:00.000Z', updatedAt: '2025-03-02T12:00:00.000Z',
      decidedAt: '2025-03-02T12:00:00.000Z', decidedBy: 'admin-7', rejectionReason: '사진이 없습니다', decisionNote: null,
    });
    const other = await insertApplication(suite.stack.db, { applicantId: 'owner-detail' });
    // Inserted out of version order on purpose: the history is the write order (id), as stored.
    const e1 = await insertEvent(suite.stack.db, { applicationId: app.id, version: 1, type: 'ApplicationSubmitted', payload: { type: 'ApplicationSubmitted', n: 1 }, occurredAt: '2025-03-02T10:00:00.000Z' });
    await insertEvent(suite.stack.db, { applicationId: other.id, version: 1 });
    const e2 = await insertEvent(suite.stack.db, { applicationId: app.id, version: 2, type: 'ApplicationAmended', payload: { type: 'ApplicationAmended' }, occurredAt: '2025-03-02T11:00:00.000Z' });
    const e3 = await insertEvent(suite.stack.db, { applicationId: app.id, version: 2, type: 'CommandRejected', payload: { type: 'CommandRejected', code: 'NOT_PENDING' }, occurredAt: '2025-03-02T11:30:00.000Z' });
    const e4 = await insertEvent(suite.stack.db, { applicationId: app.id, version: 3, type: 'ApplicationRejected', payload: { type: 'ApplicationRejected', reason: '사진이 없습니다' }, occurredAt: '2025-03-02T12:00:00.000Z' });

    const reply = await suite.api.get(`/applications/${app.id}`, suite.master);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      id: app.id, name: '을지로 골뱅이집', applicantId: 'owner-detail', kind: 'NEW_LISTING', contentType: 'RESTAURANT', status: 'REJECTED', listingId: null,
      version: 3, details: app.details,
      decision: { decidedAt: '2025-03-02T12:00:00.000Z', decidedBy: 'admin-7', rejectionReason: '사진이 없습니다', decisionNote: null },
      createdAt: '2025-03-02T10:00:00.000Z', updatedAt: '2025-03-02T12:00:00.000Z', reviewDueAt: null, reviewClaim: null,
      history: [e1, e2, e3, e4].map((e) => ({
        eventId: e.eventId, commandId: e.commandId, type: e.type, version: e.version, occurredAt: e.occurredAt, payload: e.payload,
      })),
    });
    const approved = await insertApplication(suite.stack.db, {
      status: 'APPROVED', kind: 'INFO_CHANGE', listingId: randomUUID(), details: infoChangeContact(), decidedAt: at(9), decidedBy: 'admin-2', decisionNote: 'ok',
    });
    const approvedReply = await suite.api.get(`/applications/${approved.id}`, suite.master);
    expect(approvedReply.body).toMatchObject({
      // The listing it changed is not there (any more): the change has no name to show.
      name: null, listingId: approved.listingId, kind: 'INFO_CHANGE', details: approved.details, history: [],
      decision: { decidedAt: at(9), decidedBy: 'admin-2', rejectionReason: null, decisionNote: 'ok' },
    });
  });

  test('the owner may read its own, another owner gets 403, an unknown id 404', async () => {
    const app = await insertApplication(suite.stack.db, { applicantId: 'owner-a' });
    const reply = await suite.api.get(`/applications/${app.id}`, await suite.ownerToken('owner-a'));
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(app.id);
    const foreign = await suite.api.get(`/applications/${app.id}`, await suite.ownerToken('owner-b'));
    expectProblem(foreign, 403, 'forbidden');
    expect(JSON.stringify(foreign.body)).not.toContain('owner-a');
    const missing = randomUUID();
    expectProblem(await suite.api.get(`/applications/${missing}`, suite.master), 404, 'not-found');
    expectProblem(await suite.api.get(`/applications/${missing}`, await suite.ownerToken('owner-b')), 404, 'not-found');
  });

  test('an id in capitals finds the same application', async () => {
    const app = await insertApplication(suite.stack.db);
    const reply = await suite.api.get(`/applications/${app.id.toUpperCase()}`, suite.master);
    expect(reply.status).toBe(200);
    expect(reply.body.id).toBe(app.id);
  });

  test.each([
    'not-a-uuid', '123', `${randomUUID()}x`, '00000000-0000-0000-0000-00000000000g', '%00', '%E0%A4%A', "1'; DROP TABLE applications; --", 'x'.repeat(3000),
  ].map((id) => [short(id), id]))('malformed id %s is a 400 problem, never a database error', async (_title, id) => {
    const reply = await suite.api.get(`/applications/${encodeURI(id).replace(/%25/g, '%')}`, suite.master);
    expectProblem(reply, 400, 'invalid-request');
    const actions = await suite.api.get(`/applications/${encodeURI(id).replace(/%25/g, '%')}/actions`, suite.master);
    expectProblem(actions, 400, 'invalid-request');
  });
});

describe('GET /applications/:id/actions', () => {
  test('lists the application\'s admin actions in the order they were written', async () => {
    const app = await insertApplication(suite.stack.db, { applicantId: 'owner-actions' });
    const denied = await insertAdminAction(suite.stack.db, { applicationId: app.id, action: 'DENIED', adminId: null, reason: 'token refused', at: at(50) });
    await insertAdminAction(suite.stack.db, { applicationId: randomUUID(), action: 'APPROVE' });
    // Written later with an earlier timestamp: the log order is the write order.
    const rejected = await insertAdminAction(suite.stack.db, { applicationId: app.id, action: 'REJECT', adminId: 'admin-3', reason: '중복', at: at(40) });
    const reply = await suite.api.get(`/applications/${app.id}/actions`, suite.master);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      items: [denied, rejected].map((a) => ({
        id: a.id, adminId: a.adminId, applicationId: app.id, applicationName: '을지로 골뱅이집', action: a.action, reason: a.reason, commandId: a.commandId, at: a.at,
      })),
    });
    const own = await suite.api.get(`/applications/${app.id}/actions`, await suite.ownerToken('owner-actions'));
    expect(own.body.items).toHaveLength(2);
    const none = await insertApplication(suite.stack.db);
    expect((await suite.api.get(`/applications/${none.id}/actions`, suite.master)).body).toEqual({ items: [] });
  });

  test('403 for another owner\'s application, 404 for an unknown one', async () => {
    const app = await insertApplication(suite.stack.db, { applicantId: 'owner-x' });
    await insertAdminAction(suite.stack.db, { applicationId: app.id });
    expectProblem(await suite.api.get(`/applications/${app.id}/actions`, await suite.ownerToken('owner-y')), 403, 'forbidden');
    expectProblem(await suite.api.get(`/applications/${randomUUID()}/actions`, suite.master), 404, 'not-found');
    expectProblem(await suite.api.get(`/applications/${randomUUID()}/actions`, await suite.ownerToken('owner-y')), 404, 'not-found');
  });
});
