import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { restaurantDetails } from '../fixtures/details.ts';
import type { CommandInput } from '../../src/client/command-sender.ts';
import { approve, submitNew } from '../support/commands.ts';
import { consoleSuite } from './browser.ts';

/** What review teams work with all day: a queue that updates itself, deadlines, and spreadsheets. */

const suite = consoleSuite();

async function run(input: Parameters<typeof suite.pipeline.sender.send>[0][number]) {
  const [command] = await suite.pipeline.sender.send([input]);
  await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.events && (m.value as { commandId: string }).commandId === command!.commandId);
  return command!;
}

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
