import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { byId, consoleSuite, fillForm, screenshot } from './browser.ts';

/**
 * The console end to end in Chromium, on the running service over real Kafka and PostgreSQL:
 * an owner applies, a MASTER rejects (first without a reason, which the form blocks), the owner
 * reads the reason and applies again, a second MASTER approves, and the owner changes the
 * listing's hours and sees them once approved.
 */

const suite = consoleSuite();
const db = () => suite.stack.db;

async function applicationsOf(owner: string) {
  const { rows } = await db().query('SELECT id, status, kind, rejection_reason, decided_by FROM applications WHERE applicant_id = $1 ORDER BY created_at', [owner]);
  return rows as { id: string; status: string; kind: string; rejection_reason: string | null; decided_by: string | null }[];
}

const fillRestaurant = (page: Page, name: string) => fillForm(page, 'RESTAURANT', {
  name, description: '1978년부터 이어온 골뱅이 무침.', 'specific.cuisine': '한식', 'specific.seatCapacity': '40',
  'contact.phone': '02-123-4567', 'contact.email': 'owner@example.com', 'address.postalCode': '04542', 'address.road': '서울특별시 중구 을지로 123',
});

/** Opens the application from the MASTER queue, as an admin would. */
async function openFromQueue(page: Page, applicationId: string) {
  await page.goto(`${suite.base}/console#/queue`);
  await page.click(`#queue tr[data-id="${applicationId}"] a`);
  await page.locator('#approve-form').waitFor();
}

test('apply, rejected with a reason, apply again, approved by a second MASTER, hours changed and shown after approval', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;

  // Korean first, English on request.
  const start = await suite.browser.newPage();
  await start.goto(`${suite.base}/console`);
  await expect(start.locator('h2').textContent()).resolves.toBe('로그인');
  await start.click('#language');
  await expect(start.locator('h2').textContent()).resolves.toBe('Sign in');
  await start.click('#language');
  await start.close();

  // 1. The owner applies; a broken field is reported next to it, then fixed.
  const ownerPage = await suite.signIn('OWNER', owner);
  await ownerPage.goto(`${suite.base}/console#/apply`);
  await fillRestaurant(ownerPage, '을지로 골뱅이집');
  await ownerPage.fill(byId('contact.phone'), '12');
  await ownerPage.click('#submit');
  await expect(ownerPage.locator(byId('contact.phone-error')).textContent()).resolves.toMatch(/phone number/);
  expect(await applicationsOf(owner)).toEqual([]);
  await ownerPage.fill(byId('contact.phone'), '02-123-4567');
  await ownerPage.click('#submit');
  await ownerPage.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const [first] = await applicationsOf(owner);
  expect(first).toMatchObject({ status: 'PENDING', kind: 'NEW_LISTING' });

  // 2. A MASTER finds it in the queue; rejecting without a reason is blocked in the form.
  const admin1 = await suite.signIn('MASTER', 'admin-kim');
  await admin1.goto(`${suite.base}/console#/queue`);
  await admin1.locator(`#queue tr[data-id="${first!.id}"]`).waitFor();
  await screenshot(admin1, 'queue');
  await openFromQueue(admin1, first!.id);
  await screenshot(admin1, 'decision');
  await admin1.click('#reject');
  expect(await admin1.$eval('#reason', (el) => (el as HTMLTextAreaElement).validity.valueMissing)).toBe(true);
  await admin1.fill('#reason', '   ');
  await admin1.click('#reject');
  await expect(admin1.locator('#reason-error').textContent()).resolves.toBe('반려 사유를 입력하세요.');
  expect(await admin1.$eval('#reason', (el) => (el as HTMLTextAreaElement).maxLength)).toBe(1000);
  expect((await applicationsOf(owner))[0]).toMatchObject({ status: 'PENDING' });
  await admin1.fill('#reason', '사업자등록증 사본이 필요합니다');
  await admin1.click('#reject');
  await admin1.locator('.outcome.accepted[data-outcome=ApplicationRejected]').waitFor();
  expect((await applicationsOf(owner))[0]).toMatchObject({ status: 'REJECTED', rejection_reason: '사업자등록증 사본이 필요합니다', decided_by: 'admin-kim' });

  // 3. The owner reads the reason and applies again from the rejected application.
  await ownerPage.goto(`${suite.base}/console#/mine`);
  const rejectedRow = ownerPage.locator(`#mine tr[data-id="${first!.id}"]`);
  await expect(rejectedRow.locator('.reason').textContent()).resolves.toBe('사업자등록증 사본이 필요합니다');
  await expect(rejectedRow.locator('.badge').textContent()).resolves.toBe('반려됨');
  await rejectedRow.locator('[data-apply-again]').click();
  await expect(ownerPage.locator('#name').inputValue()).resolves.toBe('을지로 골뱅이집');
  await ownerPage.click('#submit');
  await ownerPage.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const second = (await applicationsOf(owner))[1]!;
  expect(second).toMatchObject({ status: 'PENDING' });

  // 4. A second MASTER approves it with a note.
  const admin2 = await suite.signIn('MASTER', 'admin-lee');
  await openFromQueue(admin2, second.id);
  await admin2.fill('#note', '서류 확인');
  await admin2.click('#approve');
  await admin2.locator('.outcome.accepted[data-outcome=ApplicationApproved]').waitFor();
  expect((await applicationsOf(owner))[1]).toMatchObject({ status: 'APPROVED', decided_by: 'admin-lee' });

  // 5. The owner sees the listing and asks for new hours: closed on Mondays.
  await ownerPage.goto(`${suite.base}/console#/listings`);
  const card = ownerPage.locator('#listings .card').first();
  await expect(card.locator('td[data-day=MONDAY]').textContent()).resolves.toBe('10:00–20:00');
  await screenshot(ownerPage, 'owner-listings');
  await card.locator('a.button').click();
  await ownerPage.check('#change-businessHours');
  await ownerPage.check(byId('businessHours[0].closed'));
  await ownerPage.click('#send-change');
  await ownerPage.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const change = (await applicationsOf(owner))[2]!;
  expect(change).toMatchObject({ kind: 'INFO_CHANGE', status: 'PENDING' });

  // The MASTER sees current and proposed hours side by side, and approves.
  await openFromQueue(admin2, change.id);
  await expect(admin2.locator('#compare tbody tr:nth-child(3) td:nth-child(2) td[data-day=MONDAY]').textContent()).resolves.toBe('10:00–20:00');
  await expect(admin2.locator('#compare tbody tr:nth-child(3) td:nth-child(3) td[data-day=MONDAY]').textContent()).resolves.toBe('휴무');
  await screenshot(admin2, 'change-request');
  await admin2.click('#approve');
  await admin2.locator('.outcome.accepted[data-outcome=ApplicationApproved]').waitFor();

  await ownerPage.goto(`${suite.base}/console#/mine`);
  await ownerPage.locator(`#mine tr[data-id="${change.id}"][data-status=APPROVED]`).waitFor();
  await screenshot(ownerPage, 'owner');
  await ownerPage.goto(`${suite.base}/console#/listings`);
  await expect(ownerPage.locator('#listings .card td[data-day=MONDAY]').textContent()).resolves.toBe('휴무');
  const { rows } = await db().query('SELECT business_hours, version FROM listings WHERE owner_id = $1', [owner]);
  expect(rows).toHaveLength(1);
  expect(rows[0].version).toBe(2);
  expect(rows[0].business_hours).toContainEqual({ day: 'MONDAY', hours: null });
}, 120_000);
