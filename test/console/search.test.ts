import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { restaurantDetails } from '../fixtures/details.ts';
import { reject, submitNew } from '../support/commands.ts';
import { consoleSuite } from './browser.ts';

/**
 * The queue's search: a Korean substring of the business name (of three characters and of two),
 * over PENDING and over any status, and the submitted-date range, each checked against the
 * applications the processor wrote.
 */

const suite = consoleSuite();

async function run(input: Parameters<typeof suite.pipeline.sender.send>[0][number]) {
  const [command] = await suite.pipeline.sender.send([input]);
  await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.events && (m.value as { commandId: string }).commandId === command!.commandId);
  return command!;
}
const named = (owner: string, name: string) => ({ ...submitNew(owner), details: restaurantDetails({ name }) });

/** Waits until the queue shows exactly `expected` (a previous result may still be on screen), and answers its rows. */
async function queueShows(page: Page, expected: string[]) {
  await page.waitForFunction((ids) => {
    const shown = [...document.querySelectorAll('#queue tbody tr')].map((row) => row.getAttribute('data-id'));
    return shown.length === ids.length && ids.every((id) => shown.includes(id));
  }, expected);
  return page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((row) => ({
    id: row.getAttribute('data-id'), status: row.getAttribute('data-status'), name: row.querySelector('a')?.textContent,
  })));
}

async function searchFor(page: Page, fields: { q?: string; from?: string; to?: string }) {
  if (fields.q !== undefined) await page.fill('#queue-q', fields.q);
  if (fields.from !== undefined) await page.fill('#queue-from', fields.from);
  if (fields.to !== undefined) await page.fill('#queue-to', fields.to);
  await page.click('#queue-search button[type=submit]');
}

test('a Korean substring search on the queue, over PENDING and over any status, within a submitted-date range', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const master = await suite.stack.token('MASTER', 'admin-search');
  const golbaeng = await run(named(owner, '을지로 골뱅이집'));
  const rejected = await run(named(owner, '골뱅이 포차'));
  await run(reject(rejected.applicationId, master, '상호가 다릅니다'));
  const cafe = await run(named(owner, '성수동 카페'));

  const page = await suite.signIn('MASTER', 'admin-viewer');
  await page.goto(`${suite.base}/console#/queue`);
  await queueShows(page, [golbaeng.applicationId, cafe.applicationId]);

  await searchFor(page, { q: '골뱅이' });
  expect(await queueShows(page, [golbaeng.applicationId])).toEqual([{ id: golbaeng.applicationId, status: 'PENDING', name: '을지로 골뱅이집' }]);
  await expect(page.locator('.count').getAttribute('data-total')).resolves.toBe('1');

  await page.selectOption('#filter-status', '');
  const any = await queueShows(page, [golbaeng.applicationId, rejected.applicationId]);
  expect(Object.fromEntries(any.map(({ id, status, name }) => [id, { status, name }]))).toEqual({
    [golbaeng.applicationId]: { status: 'PENDING', name: '을지로 골뱅이집' },
    [rejected.applicationId]: { status: 'REJECTED', name: '골뱅이 포차' },
  });
  await expect(page.locator('.count').getAttribute('data-total')).resolves.toBe('2');
  await expect(page.locator('.count').textContent()).resolves.toBe('2건');

  // Two characters: no trigram index serves it, the answer is the same.
  await searchFor(page, { q: '골뱅' });
  await page.waitForFunction(() => document.querySelector('.count')?.getAttribute('data-total') === '2' && document.querySelectorAll('#queue tbody tr').length === 2);
  await queueShows(page, [golbaeng.applicationId, rejected.applicationId]);

  // The range is in the admin's days (the browser's time zone, Asia/Seoul here).
  const { rows: [{ day }] } = await suite.stack.db.query(`SELECT to_char(created_at AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD') AS day FROM applications WHERE id = $1`, [golbaeng.applicationId]);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  await searchFor(page, { from: next });
  await page.locator('.state.empty').waitFor();
  await searchFor(page, { from: day, to: day });
  await queueShows(page, [golbaeng.applicationId, rejected.applicationId]);

  await searchFor(page, { q: '', from: '', to: '' });
  await queueShows(page, [golbaeng.applicationId, rejected.applicationId, cafe.applicationId]);
}, 90_000);
