import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { restaurantDetails } from '../fixtures/details.ts';
import type { CommandInput } from '../../src/client/command-sender.ts';
import { approve, submitNew } from '../support/commands.ts';
import { consoleSuite } from './browser.ts';

/** What review teams work with all day: a queue that updates itself, deadlines, and spreadsheets. */

const suite = consoleSuite();

const run = suite.run;

test('admin A approves: the row leaves admin B\'s open queue, and B\'s open decision page shows who decided, without a reload', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const decided = await run(submitNew(owner, 'RESTAURANT'));
  const staying = await run(submitNew(owner, 'EXHIBITION'));
  const queue = await suite.signIn('MASTER', 'admin-b');
  await queue.goto(`${suite.base}/console#/queue`);
  await queue.locator(`#queue tr[data-id="${decided.applicationId}"]`).waitFor();
  const page = await suite.signIn('MASTER', 'admin-b');
  await page.goto(`${suite.base}/console#/applications/${decided.applicationId}`);
  await page.locator('#approve').waitFor();
  // A reload would drop these marks.
  await queue.evaluate(() => { (window as { unreloaded?: boolean }).unreloaded = true; });
  await page.evaluate(() => { (window as { unreloaded?: boolean }).unreloaded = true; });

  await run(approve(decided.applicationId, await suite.stack.token('MASTER', 'admin-a')));

  await queue.locator(`#queue tr[data-id="${decided.applicationId}"]`).waitFor({ state: 'detached' });
  await expect(queue.locator(`#queue tr[data-id="${staying.applicationId}"]`).count()).resolves.toBe(1);
  await page.locator('#status.APPROVED').waitFor();
  const decidedBy = await page.locator('dl.summary dt', { hasText: '처리자' }).evaluate((dt) => dt.nextElementSibling?.textContent);
  expect(decidedBy).toBe('admin-a');
  await expect(page.locator('#approve').count()).resolves.toBe(0);
  for (const tab of [queue, page]) await expect(tab.evaluate(() => (window as { unreloaded?: boolean }).unreloaded)).resolves.toBe(true);
});

test('an application past the review deadline is marked overdue in the queue', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const late = await run(submitNew(owner, 'PERFORMANCE'));
  const fresh = await run(submitNew(owner, 'PERFORMANCE'));
  await suite.stack.db.query(`UPDATE applications SET created_at = now() - interval '50 hours' WHERE id = $1`, [late.applicationId]);
  const page = await suite.signIn('MASTER', 'admin-deadline');
  await page.goto(`${suite.base}/console#/queue`);
  const lateRow = page.locator(`#queue tr[data-id="${late.applicationId}"]`);
  await lateRow.waitFor();
  await expect(lateRow.getAttribute('class')).resolves.toBe('overdue');
  await expect(lateRow.locator('td.due .badge.overdue').textContent()).resolves.toBe('2h 초과');
  const freshRow = page.locator(`#queue tr[data-id="${fresh.applicationId}"]`);
  await expect(freshRow.getAttribute('class')).resolves.toBeNull();
  await expect(freshRow.locator('td.due').textContent()).resolves.toMatch(/^[12]d$/);
});

test('the queue downloads as a CSV a spreadsheet opens: a BOM, Korean text, a formula cell escaped', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const named = await run({ ...submitNew(owner, 'RESTAURANT'), details: { ...restaurantDetails(), name: '=1+1 을지로 골뱅이집' } } as CommandInput);
  const page = await suite.signIn('MASTER', 'admin-export');
  await page.goto(`${suite.base}/console#/queue`);
  await page.locator(`#queue tr[data-id="${named.applicationId}"]`).waitFor();
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#export-queue')]);
  expect(file.suggestedFilename()).toBe('applications.csv');
  const bytes = await readFile((await file.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = parse(bytes.subarray(3), { columns: true }) as Record<string, string>[];
  expect(rows.find((row) => row.id === named.applicationId)).toMatchObject({ name: '\'=1+1 을지로 골뱅이집', status: 'PENDING', applicantId: owner });
  expect(rows.every((row) => row.status === 'PENDING')).toBe(true);
});

test('a review claim: admin A claims; admin B sees "being reviewed by A", gets ALREADY_CLAIMED naming A, takes over, and the audit shows it', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const { applicationId } = await run(submitNew(owner, 'RESTAURANT'));
  const pageA = await suite.signIn('MASTER', 'reviewer-a');
  await pageA.goto(`${suite.base}/console#/applications/${applicationId}`);
  await pageA.locator('#review-claim', { hasText: '심사 중인 관리자가 없습니다.' }).waitFor();
  await pageA.click('#claim-review');
  await pageA.locator('#review-claim .review-claim[data-admin="reviewer-a"]').waitFor();
  await expect(pageA.locator('#release-review').count()).resolves.toBe(1);

  const queueB = await suite.signIn('MASTER', 'reviewer-b');
  await queueB.goto(`${suite.base}/console#/queue`);
  const row = queueB.locator(`#queue tr[data-id="${applicationId}"] .review-claim`);
  await row.waitFor();
  await expect(row.textContent()).resolves.toMatch(/^reviewer-a 님이 .+부터 심사 중$/);

  const pageB = await suite.signIn('MASTER', 'reviewer-b');
  await pageB.goto(`${suite.base}/console#/applications/${applicationId}`);
  await pageB.locator('#review-claim .review-claim[data-admin="reviewer-a"]').waitFor();
  await pageB.click('#claim-review');
  const refused = pageB.locator('#review .outcome[data-code="ALREADY_CLAIMED"]');
  await refused.waitFor();
  await expect(refused.textContent()).resolves.toContain('reviewer-a 님이 이미 심사 중입니다 (ALREADY_CLAIMED)');

  await pageB.click('#approve');
  const undecided = pageB.locator('.outcome[data-code="CLAIMED_BY_OTHER"]');
  await undecided.waitFor();
  await expect(undecided.textContent()).resolves.toContain('reviewer-a 님이 심사 중이라 처리할 수 없습니다');

  await pageB.click('#take-over-review');
  await pageB.locator('#review-claim .review-claim[data-admin="reviewer-b"]').waitFor();
  await pageB.locator('#approve').waitFor();
  // The queue and A's open page follow the take-over live.
  await queueB.locator(`#queue tr[data-id="${applicationId}"] .review-claim[data-admin="reviewer-b"]`).waitFor();
  await pageA.locator('#review-claim .review-claim[data-admin="reviewer-b"]').waitFor();
  await pageB.locator('#actions tbody tr', { hasText: '심사 인계' }).waitFor();
  const actions = await pageB.locator('#actions tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
  expect(actions).toEqual([['reviewer-a', '심사 시작', ''], ['reviewer-b', '심사 인계', 'taken over from reviewer-a']]);

  await pageB.goto(`${suite.base}/console#/audit`);
  await pageB.selectOption('#audit-action', 'TAKE_OVER');
  await pageB.click('#audit-filters button[type=submit]');
  // The filtered page, not the unfiltered one still on screen: every row a take-over.
  await pageB.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#audit tbody tr')];
    return rows.length > 0 && rows.every((r) => r.textContent?.includes('심사 인계'));
  });
  const audited = await pageB.locator(`#audit tbody tr:has(a[title="${applicationId}"])`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
  expect(audited).toEqual([['reviewer-b', '심사 인계', expect.any(String), 'taken over from reviewer-a']]);
});

test('a reviewer note: the MASTER sees it with author and time; the owner\'s pages do not show it', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const { applicationId } = await run(submitNew(owner, 'EXHIBITION'));
  const secret = `대표자와 통화 필요 ${randomUUID().slice(0, 8)}`;
  const admin = await suite.signIn('MASTER', 'reviewer-notes');
  await admin.goto(`${suite.base}/console#/applications/${applicationId}`);
  await admin.locator('#reviewer-notes').waitFor();
  await admin.fill('#note-text', secret);
  await admin.click('#add-note');
  const note = admin.locator('#notes li', { hasText: secret });
  await note.waitFor();
  await expect(note.locator('.author').textContent()).resolves.toBe('reviewer-notes');
  // The form clears once the gateway reports the command accepted; the live feed can bring the
  // note onto the page a moment before that (a clean run failed here when it did).
  await admin.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('#note-text')?.value === '');

  const ownerPage = await suite.signIn('OWNER', owner);
  await ownerPage.goto(`${suite.base}/console#/applications/${applicationId}`);
  await ownerPage.locator('#status.PENDING').waitFor();
  await ownerPage.locator('ol.history li').first().waitFor();
  await expect(ownerPage.locator('#reviewer-notes').count()).resolves.toBe(0);
  await expect(ownerPage.locator('#review').count()).resolves.toBe(0);
  await expect(ownerPage.content()).resolves.not.toContain(secret);
  await expect(ownerPage.locator('ol.history li').allTextContents()).resolves.toEqual([expect.stringContaining('ApplicationSubmitted')]);
  await ownerPage.goto(`${suite.base}/console#/mine`);
  await ownerPage.locator(`#mine tr[data-id="${applicationId}"]`).waitFor();
  await expect(ownerPage.content()).resolves.not.toContain(secret);
});
