import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { submitNew } from '../support/commands.ts';
import { consoleSuite } from './browser.ts';

/**
 * Who may do what, seen from the browser: an OWNER is refused the MASTER pages and another
 * owner's application, and two admins deciding one application at once end with one decision,
 * the other admin being told NOT_PENDING.
 */

const suite = consoleSuite();

/** A PENDING application of `owner`, sent as a real command and applied by the processor. */
async function pendingApplication(owner: string): Promise<string> {
  const [command] = await suite.pipeline.sender.send([submitNew(owner, 'EXHIBITION')]);
  await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.events && (m.value as { commandId: string }).commandId === command!.commandId);
  return command!.applicationId;
}

/**
 * The content rendered for `route`. Navigation changes only the hash: until the page renders,
 * the previous route's refusal or error is still there and would answer for this one.
 */
async function open(page: Page, route: string): Promise<Locator> {
  await page.goto(`${suite.base}/console#/${route}`);
  return page.locator(`main[data-route="${route}"]`);
}

const statusOf = async (id: string) => (await suite.stack.db.query('SELECT status, decided_by FROM applications WHERE id = $1', [id])).rows[0];

/** A gateway call from inside the page, with the token the tab holds. */
const postFromPage = (page: Page, path: string, body: unknown) => page.evaluate(async ([url, json]) => {
  const token = sessionStorage.getItem('console.token');
  const response = await fetch(url as string, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return { status: response.status, body: await response.json() as { type: string } };
}, [path, body] as const);

test('an OWNER cannot reach the MASTER pages, nor see or act on another owner\'s application', async () => {
  const victim = `owner-${randomUUID().slice(0, 8)}`;
  const id = await pendingApplication(victim);
  const intruder = await suite.signIn('OWNER', `owner-${randomUUID().slice(0, 8)}`);

  for (const page of ['queue', 'audit', 'stats']) {
    const view = await open(intruder, page);
    await expect(view.locator('#forbidden').textContent()).resolves.toBe('이 화면은 MASTER 관리자만 볼 수 있습니다.');
    expect(await view.locator('#queue, #audit, #stats').count()).toBe(0);
  }
  // The navigation offers the owner's pages only.
  expect(await intruder.locator('header nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['#/mine', '#/apply', '#/listings']);

  // Another owner's application: the read API refuses it, so the page shows the refusal and no actions.
  const decision = await open(intruder, `applications/${id}`);
  await expect(decision.locator('.state.error strong').textContent()).resolves.toMatch(/\(403\)$/);
  const amend = await open(intruder, `apply/${id}`);
  await expect(amend.locator('.state.error strong').textContent()).resolves.toMatch(/\(403\)$/);
  expect(await amend.locator('#apply-form').count()).toBe(0);

  // And the gateway refuses it whatever the page offers.
  const withdraw = await postFromPage(intruder, `/applications/${id}/withdraw`, {});
  expect(withdraw).toMatchObject({ status: 403, body: { type: 'https://backoffice.example/problems/forbidden' } });
  const approve = await postFromPage(intruder, `/applications/${id}/approve`, {});
  expect(approve.status).toBe(403);
  expect(await statusOf(id)).toEqual({ status: 'PENDING', decided_by: null });
}, 60_000);

test('a token from the identity provider, pasted or handed over by redirect, is kept for the tab only', async () => {
  const token = await suite.stack.token('MASTER', 'admin-idp');
  const context = await suite.browser.newContext();
  try {
    const pasted = await context.newPage();
    await pasted.goto(`${suite.base}/console`);
    await pasted.fill('#token', 'not-a-token');
    await pasted.click('#token-sign-in button[type=submit]');
    await expect(pasted.locator('.sign-in .state.error').textContent()).resolves.toBe('토큰을 읽을 수 없거나 만료되었습니다.');
    await pasted.fill('#token', token);
    await pasted.click('#token-sign-in button[type=submit]');
    await pasted.locator('#who').filter({ hasText: 'admin-idp (MASTER)' }).waitFor();
    expect(await pasted.evaluate(() => [sessionStorage.getItem('console.token') !== null, Object.keys(localStorage).some((k) => localStorage.getItem(k)?.includes('.'))]))
      .toEqual([true, false]);

    // Another tab of the same browser starts signed out; a redirect hands the token over in the fragment.
    const another = await context.newPage();
    await another.goto(`${suite.base}/console`);
    await another.locator('#token-sign-in').waitFor();
    const redirected = await context.newPage();
    await redirected.goto(`${suite.base}/console#access_token=${encodeURIComponent(token)}`);
    await redirected.locator('#queue, .state.empty').first().waitFor();
    expect(redirected.url()).not.toContain('access_token');
  } finally {
    await context.close();
  }
}, 60_000);

test('two admins deciding at once: one decision, and NOT_PENDING shown to the other', async () => {
  const id = await pendingApplication(`owner-${randomUUID().slice(0, 8)}`);
  const [approver, rejecter] = await Promise.all([suite.signIn('MASTER', 'admin-park'), suite.signIn('MASTER', 'admin-choi')]);
  for (const page of [approver, rejecter]) {
    await page.goto(`${suite.base}/console#/applications/${id}`);
    await page.locator('#approve-form').waitFor();
  }
  await rejecter.fill('#reason', '전시 기간이 너무 짧습니다');
  await Promise.all([approver.click('#approve'), rejecter.click('#reject')]);

  const outcomes = await Promise.all([approver, rejecter].map(async (page) => {
    const outcome = page.locator('.outcome.accepted, .outcome.refused');
    await outcome.waitFor();
    return { accepted: await outcome.getAttribute('data-outcome'), code: await outcome.getAttribute('data-code'), text: await outcome.textContent() };
  }));
  const winners = outcomes.filter((o) => o.accepted !== null);
  const losers = outcomes.filter((o) => o.code !== null);
  expect(winners).toHaveLength(1);
  expect(losers).toEqual([{ accepted: null, code: 'NOT_PENDING', text: '다른 관리자가 이미 처리한 신청입니다 (NOT_PENDING).' }]);

  const winner = winners[0]!.accepted === 'ApplicationApproved' ? { status: 'APPROVED', decided_by: 'admin-park' } : { status: 'REJECTED', decided_by: 'admin-choi' };
  expect(await statusOf(id)).toEqual(winner);
  const { rows } = await suite.stack.db.query('SELECT admin_id, action FROM admin_action_log WHERE application_id = $1', [id]);
  expect(rows).toEqual([{ admin_id: winner.decided_by, action: winner.status === 'APPROVED' ? 'APPROVE' : 'REJECT' }]);
}, 60_000);
