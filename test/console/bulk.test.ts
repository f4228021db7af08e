import { randomUUID } from 'node:crypto';
import type { Page, Request } from 'playwright-core';
import { submitNew } from '../support/commands.ts';
import { gatewayCalls } from '../support/gateway-calls.ts';
import { eventually } from '../support/pipeline.ts';
import { consoleSuite, screenshot } from './browser.ts';

/** Decisions in bulk from the queue: many selected, one request, each row's own outcome as it arrives. */

const suite = consoleSuite();
const { commandRecords } = gatewayCalls(suite);

const row = (page: Page, id: string) => page.locator(`#queue tr[data-id="${id}"]`);
/** The bulk results' row of `id`, once it is in the state `attributes` says (data-state, data-code). */
const result = (page: Page, id: string, attributes = '') => page.locator(`#bulk-results tr[data-id="${id}"]${attributes}`);

/** The applications' statuses in `ids` order, read from the database. */
async function statuses(ids: string[]): Promise<string[]> {
  const { rows } = await suite.stack.db.query('SELECT id, status FROM applications WHERE id = ANY($1::uuid[])', [ids]);
  return ids.map((id) => rows.find((found) => found.id === id)?.status as string);
}

/** Another admin decides through the gateway, and its outcome is recorded. */
async function decidedElsewhere(id: string) {
  const token = await suite.stack.token('MASTER', 'admin-other');
  const reply = await fetch(`${suite.base}/applications/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  expect(reply.status).toBe(202);
  await eventually(async () => ((await statuses([id]))[0] === 'APPROVED' ? true : undefined));
}

test('bulk approve of three selected, one of them approved meanwhile by another admin: each row shows its own outcome, NOT_PENDING included', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const [first, taken, third, left] = await Promise.all([0, 1, 2, 3].map(() => suite.run(submitNew(owner, 'RESTAURANT'))));
  const page = await suite.signIn('MASTER', 'admin-bulk');
  await page.goto(`${suite.base}/console#/queue`);
  for (const command of [first, taken, third, left]) await row(page, command!.applicationId).waitFor();
  for (const command of [first, taken, third]) await row(page, command!.applicationId).locator('input.select').check();
  await page.locator('#bulk-count[data-count="3"]').waitFor();

  // Decided elsewhere after it was selected: it leaves the queue, and stays selected.
  await decidedElsewhere(taken!.applicationId);
  await row(page, taken!.applicationId).waitFor({ state: 'detached' });
  await expect(page.locator('#bulk-count').getAttribute('data-count')).resolves.toBe('3');

  const sent: Request[] = [];
  page.on('request', (request) => { if (request.url().endsWith('/decisions')) sent.push(request); });
  await page.click('#bulk-approve');
  for (const id of [first!.applicationId, third!.applicationId]) {
    await result(page, id, '[data-state=ACCEPTED]').waitFor();
  }
  await result(page, taken!.applicationId, '[data-state=REJECTED][data-code=NOT_PENDING]').waitFor();
  await expect(result(page, taken!.applicationId).locator('.outcome').textContent()).resolves.toBe('다른 관리자가 이미 처리한 신청입니다 (NOT_PENDING).');
  for (const id of [first!.applicationId, third!.applicationId]) {
    await expect(result(page, id).locator('.outcome').getAttribute('data-outcome')).resolves.toBe('ApplicationApproved');
  }
  await screenshot(page, 'queue-bulk');

  // One request, each decision under its own key.
  expect(sent).toHaveLength(1);
  const decisions = (sent[0]!.postDataJSON() as { decisions: { applicationId: string; idempotencyKey: string; decision: string }[] }).decisions;
  expect(decisions.map((d) => [d.applicationId, d.decision])).toEqual([first, taken, third].map((c) => [c!.applicationId, 'APPROVE']));
  expect(new Set(decisions.map((d) => d.idempotencyKey)).size).toBe(3);
  expect(await statuses([first, taken, third, left].map((c) => c!.applicationId))).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'PENDING']);
  const { rows } = await suite.stack.db.query('SELECT id, decided_by FROM applications WHERE id = ANY($1::uuid[]) ORDER BY decided_by', [[first, taken, third].map((c) => c!.applicationId)]);
  expect(rows.map((r) => r.decided_by)).toEqual(['admin-bulk', 'admin-bulk', 'admin-other']);
  // The approved leave the queue; the one not selected stays.
  for (const command of [first, third]) await row(page, command!.applicationId).waitFor({ state: 'detached' });
  await expect(row(page, left!.applicationId).count()).resolves.toBe(1);
});

test('bulk reject of every application on the page with one required reason; an answer lost on the way is retried under the same keys and sends nothing new', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const commands = await Promise.all([0, 1].map(() => suite.run(submitNew(owner, 'EXHIBITION'))));
  const ids = commands.map((command) => command.applicationId);
  const page = await suite.signIn('MASTER', 'admin-bulk');
  await page.goto(`${suite.base}/console#/queue`);
  await page.selectOption('#filter-type', 'EXHIBITION');
  await page.waitForFunction((expected) => {
    const shown = [...document.querySelectorAll('#queue tbody tr')].map((tr) => tr.getAttribute('data-id'));
    return shown.length === expected.length && expected.every((id) => shown.includes(id));
  }, ids);
  await page.check('#select-all');
  await page.locator('#bulk-count[data-count="2"]').waitFor();

  // Without a reason nothing is sent.
  const bodies: string[] = [];
  page.on('request', (request) => { if (request.url().endsWith('/decisions')) bodies.push(request.postData()!); });
  await page.click('#bulk-reject');
  await expect(page.locator('#bulk-reason-error').textContent()).resolves.toBe('반려 사유를 입력하세요.');
  expect(bodies).toEqual([]);

  // The first answer is lost after the service received it.
  let dropped = false;
  await page.route('**/decisions', async (route) => {
    if (dropped) return route.continue();
    dropped = true;
    await route.fetch();
    return route.abort('failed');
  });
  await page.fill('#bulk-reason', '전시 기간이 등록 기준에 맞지 않습니다');
  await page.click('#bulk-reject');
  await page.locator('#bulk-retry').waitFor();
  await eventually(async () => ((await statuses(ids)).every((status) => status === 'REJECTED') ? true : undefined));
  const records = await commandRecords();

  await page.click('#bulk-retry');
  for (const id of ids) await result(page, id, '[data-state=ACCEPTED]').waitFor();
  for (const id of ids) await expect(result(page, id).locator('.outcome').getAttribute('data-outcome')).resolves.toBe('ApplicationRejected');
  expect(bodies).toHaveLength(2);
  expect(bodies[1]).toBe(bodies[0]);
  expect(await commandRecords()).toBe(records);
  const { rows } = await suite.stack.db.query('SELECT DISTINCT rejection_reason FROM applications WHERE id = ANY($1::uuid[])', [ids]);
  expect(rows).toEqual([{ rejection_reason: '전시 기간이 등록 기준에 맞지 않습니다' }]);
});
