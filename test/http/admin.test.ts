import { randomUUID } from 'node:crypto';
import { expectProblem, startSuite, walk, type Suite } from './harness.ts';
import { at, insertAdminAction, insertApplication, insertListing, type SeedAdminAction } from './seed.ts';
import { infoChangeContact } from '../fixtures/details.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

/** As the log shows it; the seeded actions name applications that do not exist, so no business name. */
const json = (a: SeedAdminAction, applicationName: string | null = null) => ({
  id: a.id, adminId: a.adminId, applicationId: a.applicationId, applicationName, action: a.action, reason: a.reason, commandId: a.commandId, at: a.at,
});
const pageUrl = (query: string, limit: number) => (cursor: string | null) =>
  `/admin-actions?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;

describe('GET /admin-actions', () => {
  test('lists the audit log newest first (id descending), with filters', async () => {
    const admin = `admin-${randomUUID()}`;
    const other = `admin-${randomUUID()}`;
    const app = randomUUID();
    // `at` deliberately out of step with the write order.
    const a1 = await insertAdminAction(suite.stack.db, { adminId: admin, action: 'APPROVE', at: at(30), applicationId: app, reason: '좋아요' });
    const b1 = await insertAdminAction(suite.stack.db, { adminId: other, action: 'REJECT', at: at(10), reason: '사진 없음' });
    const a2 = await insertAdminAction(suite.stack.db, { adminId: admin, action: 'REJECT', at: at(20), reason: '중복' });
    const a3 = await insertAdminAction(suite.stack.db, { adminId: admin, action: 'DENIED', at: at(40), applicationId: app, reason: 'token refused' });
    const d1 = await insertAdminAction(suite.stack.db, { adminId: null, action: 'DENIED', at: at(50) });

    const all = await suite.api.get('/admin-actions?limit=100', suite.master);
    expect(all.status).toBe(200);
    expect(all.body.items.slice(0, 5)).toEqual([d1, a3, a2, b1, a1].map((a) => json(a)));
    const list = async (query: string) => (await suite.api.get(`/admin-actions?${query}`, suite.master)).body.items.map((item: { id: string }) => item.id);
    expect(await list(`adminId=${admin}`)).toEqual([a3.id, a2.id, a1.id]);
    expect(await list(`adminId=${admin}&action=REJECT`)).toEqual([a2.id]);
    expect(await list(`applicationId=${app}`)).toEqual([a3.id, a1.id]);
    expect(await list(`adminId=${admin}&from=${at(20)}`)).toEqual([a3.id, a2.id, a1.id]);
    expect(await list(`adminId=${admin}&from=${at(20)}&to=${at(40)}`)).toEqual([a2.id, a1.id]);
    expect(await list(`adminId=${admin}&to=${encodeURIComponent('2025-03-01T09:00:20+09:00')}`)).toEqual([]);
    expect(await list(`adminId=${admin}&to=${encodeURIComponent('2025-03-01T09:00:21+09:00')}`)).toEqual([a2.id]);
    expect(await list(`action=DENIED&from=${at(50)}&to=${at(51)}`)).toEqual([d1.id]);
  });

  test('pages by id, newest first: every row once, and a row written during the walk does not shift the pages', async () => {
    const admin = `admin-${randomUUID()}`;
    const rows: SeedAdminAction[] = [];
    for (let i = 0; i < 10; i++) rows.push(await insertAdminAction(suite.stack.db, { adminId: admin, at: at(100 - i) }));
    const { items, pages } = await walk((cursor) => suite.api.get(pageUrl(`adminId=${admin}`, 3)(cursor), suite.master), async (index) => {
      // Newer than the cursor: it belongs before the first page, which was already read.
      if (index === 1) await insertAdminAction(suite.stack.db, { adminId: admin, at: at(0) });
    });
    expect(items).toEqual([...rows].reverse().map((a) => json(a)));
    expect(pages).toBe(4);
  });

  test('names the application each action is about: the business name, or the name of the listing a change is for', async () => {
    const admin = `admin-${randomUUID()}`;
    const listingId = randomUUID();
    await insertListing(suite.stack.db, { id: listingId, name: '을지로 골뱅이집 본점' });
    const fresh = await insertApplication(suite.stack.db, { status: 'APPROVED' });
    const change = await insertApplication(suite.stack.db, { status: 'REJECTED', kind: 'INFO_CHANGE', listingId, details: infoChangeContact() });
    const approved = await insertAdminAction(suite.stack.db, { adminId: admin, action: 'APPROVE', applicationId: fresh.id });
    const rejected = await insertAdminAction(suite.stack.db, { adminId: admin, action: 'REJECT', applicationId: change.id, reason: '번호 확인 불가' });
    const reply = await suite.api.get(`/admin-actions?adminId=${admin}`, suite.master);
    expect(reply.body.items).toEqual([json(rejected, '을지로 골뱅이집 본점'), json(approved, (fresh.details as { name: string }).name)]);
  });

  test('ids stay numeric-ordered past the first digit change (99 < 100)', async () => {
    const admin = `admin-${randomUUID()}`;
    // Text order would put 100 before 95: make the ids cross from two to three digits.
    await suite.stack.db.query('ALTER TABLE admin_action_log ALTER COLUMN id RESTART WITH 95');
    const rows: SeedAdminAction[] = [];
    for (let i = 0; i < 12; i++) rows.push(await insertAdminAction(suite.stack.db, { adminId: admin }));
    const { items } = await walk((cursor) => suite.api.get(pageUrl(`adminId=${admin}`, 5)(cursor), suite.master));
    expect(rows.map((row) => row.id)).toEqual(['95', '96', '97', '98', '99', '100', '101', '102', '103', '104', '105', '106']);
    expect(items.map((item) => item.id)).toEqual(rows.map((row) => row.id).reverse());
  });

  test('OWNER tokens are refused with 403, whatever the filters', async () => {
    const owner = await suite.ownerToken('owner-1');
    expectProblem(await suite.api.get('/admin-actions', owner), 403, 'forbidden');
    expectProblem(await suite.api.get('/admin-actions?adminId=owner-1', owner), 403, 'forbidden');
    expectProblem(await suite.api.get('/admin-actions?action=NOPE', owner), 403, 'forbidden');
  });

  test.each([
    ['action=APPROVED', 'action'],
    ['action=APPROVE&action=REJECT', 'action'],
    ['from=yesterday', 'from'],
    ['from=2025-03-01', 'from'],
    ['from=2025-03-01T00:00:00', 'from'],
    ['to=2025-13-01T00:00:00Z', 'to'],
    ['applicationId=nope', 'applicationId'],
    ['adminId=%00', 'adminId'],
    ['limit=0', 'limit'],
    ['cursor=abc', 'cursor'],
    [`cursor=${Buffer.from('{"k":"i1","id":"0"}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"k":"i1","id":"99999999999999999999"}').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('{"k":"t1","at":"2025-01-01T00:00:00.000000Z","id":"00000000-0000-0000-0000-000000000000"}').toString('base64url')}`, 'cursor'],
  ])('?%s is a 400 problem', async (query, parameter) => {
    const reply = await suite.api.get(`/admin-actions?${query}`, suite.master);
    expectProblem(reply, 400, 'invalid-request');
    expect(reply.body.detail).toContain(`'${parameter}'`);
  });

  test('from after to is a 400 problem', async () => {
    expectProblem(await suite.api.get(`/admin-actions?from=${at(10)}&to=${at(5)}`, suite.master), 400, 'invalid-request');
  });
});

describe('GET /stats', () => {
  test('counts by status, content type and kind, and the age of the oldest PENDING', async () => {
    await suite.stack.db.query('DELETE FROM applications');
    const empty = await suite.api.get('/stats', suite.master);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      byStatus: { PENDING: 0, APPROVED: 0, REJECTED: 0, WITHDRAWN: 0 },
      byContentType: { RESTAURANT: 0, PERFORMANCE: 0, EXHIBITION: 0 },
      byKind: { NEW_LISTING: 0, INFO_CHANGE: 0 },
      oldestPendingAgeSeconds: null,
      overdue: 0,
    });

    const now = Date.now();
    const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
    await insertApplication(suite.stack.db, { status: 'PENDING', contentType: 'RESTAURANT', createdAt: ago(3600) });
    await insertApplication(suite.stack.db, { status: 'PENDING', contentType: 'PERFORMANCE', kind: 'INFO_CHANGE', createdAt: ago(60) });
    await insertApplication(suite.stack.db, { status: 'APPROVED', contentType: 'RESTAURANT', createdAt: ago(99_999) });
    await insertApplication(suite.stack.db, { status: 'APPROVED', contentType: 'EXHIBITION', kind: 'INFO_CHANGE', createdAt: ago(5) });
    await insertApplication(suite.stack.db, { status: 'REJECTED', contentType: 'RESTAURANT', createdAt: ago(7200) });
    // Past the 48-hour review deadline: overdue while PENDING, and only then.
    await insertApplication(suite.stack.db, { status: 'PENDING', contentType: 'EXHIBITION', createdAt: ago(49 * 3600) });
    await insertApplication(suite.stack.db, { status: 'APPROVED', contentType: 'EXHIBITION', createdAt: ago(50 * 3600) });
    await insertApplication(suite.stack.db, { status: 'WITHDRAWN', contentType: 'EXHIBITION', createdAt: ago(10) });

    const reply = await suite.api.get('/stats', suite.master);
    expect(reply.body).toEqual({
      byStatus: { PENDING: 3, APPROVED: 3, REJECTED: 1, WITHDRAWN: 1 },
      byContentType: { RESTAURANT: 3, PERFORMANCE: 1, EXHIBITION: 4 },
      byKind: { NEW_LISTING: 6, INFO_CHANGE: 2 },
      oldestPendingAgeSeconds: expect.any(Number),
      overdue: 1,
    });
    const age = reply.body.oldestPendingAgeSeconds as number;
    const elapsed = (Date.now() - now) / 1000;
    expect(Number.isInteger(age)).toBe(true);
    expect(age).toBeGreaterThanOrEqual(49 * 3600 - 1);
    expect(age).toBeLessThanOrEqual(49 * 3600 + elapsed + 1);

    // No PENDING left: the age is null again, counts move.
    await suite.stack.db.query(`UPDATE applications SET status = 'WITHDRAWN' WHERE status = 'PENDING'`);
    const after = await suite.api.get('/stats', suite.master);
    expect(after.body.byStatus).toEqual({ PENDING: 0, APPROVED: 3, REJECTED: 1, WITHDRAWN: 4 });
    expect(after.body.oldestPendingAgeSeconds).toBeNull();
    expect(after.body.overdue).toBe(0);
  });

  test('OWNER tokens are refused with 403', async () => {
    expectProblem(await suite.api.get('/stats', await suite.ownerToken('owner-1')), 403, 'forbidden');
  });
});
