import { randomUUID } from 'node:crypto';
import { approve, reject, submitNew } from '../support/commands.ts';
import { infoChangeContact } from '../fixtures/details.ts';
import { byId, consoleSuite, fillForm } from './browser.ts';

/**
 * The pages the journey passes by: the per-type application forms with the server's field
 * errors, amend and withdraw while PENDING, the queue's filters, the audit log's filters, and the
 * figures of /stats, each checked against what the processor wrote.
 */

const suite = consoleSuite();

async function run(input: Parameters<typeof suite.pipeline.sender.send>[0][number]) {
  const [command] = await suite.pipeline.sender.send([input]);
  await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.events && (m.value as { commandId: string }).commandId === command!.commandId);
  return command!;
}

test('a performance application: its own fields, a field error for an end before the start, then amended and withdrawn', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const page = await suite.signIn('OWNER', owner);
  await page.goto(`${suite.base}/console#/apply`);
  await fillForm(page, 'PERFORMANCE', {
    name: '뮤지컬 영웅', 'specific.venue': '블루스퀘어 신한카드홀', 'specific.startDate': '2027-05-31', 'specific.endDate': '2027-03-01',
    'specific.runtimeMinutes': '160', 'specific.ageRating': 'AGE_12', 'contact.phone': '02-123-4567', 'contact.email': 'show@example.com',
    'address.postalCode': '04354', 'address.road': '서울특별시 용산구 이태원로 294',
  });
  expect(await page.locator(byId('specific.cuisine')).count()).toBe(0);
  // Every control has a label, for keyboards and screen readers alike.
  expect(await page.locator('#apply-form').evaluate((form) => [...form.querySelectorAll('input, select, textarea')]
    .filter((control) => (control as HTMLInputElement).labels?.length === 0).map((control) => control.id))).toEqual([]);
  await page.check(byId('businessHours[0].closed'));
  await page.click('#submit');
  await expect(page.locator(byId('specific.endDate-error')).textContent()).resolves.toBe('must not be before startDate (2027-05-31)');
  await expect(page.locator(byId('specific.endDate')).getAttribute('aria-invalid')).resolves.toBe('true');
  await page.fill(byId('specific.endDate'), '2027-08-31');
  await page.click('#submit');
  await page.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const { rows: [submitted] } = await suite.stack.db.query('SELECT id, details FROM applications WHERE applicant_id = $1', [owner]);
  expect(submitted.details).toMatchObject({ specific: { type: 'PERFORMANCE', endDate: '2027-08-31', ageRating: 'AGE_12' }, businessHours: expect.arrayContaining([{ day: 'MONDAY', hours: null }]) });

  // Amend while PENDING, from my applications.
  await page.goto(`${suite.base}/console#/mine`);
  await page.click(`#mine tr[data-id="${submitted.id}"] a.button`);
  await expect(page.locator('#name').inputValue()).resolves.toBe('뮤지컬 영웅');
  await page.fill(byId('specific.runtimeMinutes'), '150');
  await page.click('#submit');
  await page.locator('.outcome.accepted[data-outcome=ApplicationAmended]').waitFor();
  const { rows: [amended] } = await suite.stack.db.query('SELECT version, details->\'specific\'->>\'runtimeMinutes\' AS runtime FROM applications WHERE id = $1', [submitted.id]);
  expect(amended).toEqual({ version: 2, runtime: '150' });

  // Withdraw while PENDING, after confirming.
  await page.goto(`${suite.base}/console#/mine`);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.click(`#mine tr[data-id="${submitted.id}"] button.danger`);
  await page.locator(`#mine tr[data-id="${submitted.id}"][data-status=WITHDRAWN]`).waitFor();
  expect(await page.locator(`#mine tr[data-id="${submitted.id}"] .actions a, #mine tr[data-id="${submitted.id}"] .actions button`).count()).toBe(0);
}, 60_000);

test('a command the processor dead-lettered is shown as such, with its code, instead of waiting for an outcome', async () => {
  const owner = `owner-unwritable-${randomUUID().slice(0, 8)}`;
  const page = await suite.signIn('OWNER', owner);
  await page.goto(`${suite.base}/console#/apply`);
  await fillForm(page, 'RESTAURANT', {
    name: '을지로 골뱅이집', 'specific.cuisine': '한식', 'specific.seatCapacity': '40', 'contact.phone': '02-123-4567',
    'contact.email': 'owner@example.com', 'address.postalCode': '04542', 'address.road': '서울특별시 중구 을지로 123',
  });
  // PostgreSQL refuses this owner's rows (a constraint the code knows nothing of): the command becomes an UNWRITABLE dead letter.
  await suite.stack.db.query(`ALTER TABLE applications ADD CONSTRAINT refuse_console_owner CHECK (applicant_id <> '${owner}')`);
  try {
    await page.click('#submit');
    const shown = page.locator('.outcome.dead-lettered[data-code=UNWRITABLE]');
    await shown.waitFor();
    await expect(shown.textContent()).resolves.toMatch(/^처리할 수 없는 명령이라 DLQ로 보냈습니다 \[UNWRITABLE\]: PostgreSQL refused the command \(SQLSTATE 23514\)/);
  } finally {
    await suite.stack.db.query('ALTER TABLE applications DROP CONSTRAINT refuse_console_owner');
  }
  expect((await suite.stack.db.query('SELECT 1 FROM applications WHERE applicant_id = $1', [owner])).rows).toEqual([]);
}, 60_000);

test('a PENDING change request is amended from my applications, starting from what it asks', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const master = await suite.stack.token('MASTER', 'admin-amend');
  const submitted = await run(submitNew(owner, 'RESTAURANT'));
  await run(approve(submitted.applicationId, master));
  const { rows: [listing] } = await suite.stack.db.query('SELECT id FROM listings WHERE owner_id = $1', [owner]);

  const page = await suite.signIn('OWNER', owner);
  await page.goto(`${suite.base}/console#/listings/${listing.id}`);
  await page.check('#change-contact');
  await page.fill(byId('contact.email'), 'first@example.co.kr');
  await page.click('#send-change');
  await page.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const { rows: [change] } = await suite.stack.db.query('SELECT id FROM applications WHERE applicant_id = $1 AND kind = \'INFO_CHANGE\'', [owner]);

  await page.goto(`${suite.base}/console#/mine`);
  await page.click(`#mine a[data-amend="${change.id}"]`);
  await expect(page.locator('#change-contact').isChecked()).resolves.toBe(true);
  await expect(page.locator(byId('contact.email')).inputValue()).resolves.toBe('first@example.co.kr');
  await page.fill(byId('contact.email'), 'second@example.co.kr');
  await page.click('#send-change');
  await page.locator('.outcome.accepted[data-outcome=ApplicationAmended]').waitFor();
  const { rows: [amended] } = await suite.stack.db.query('SELECT status, version, details FROM applications WHERE id = $1', [change.id]);
  expect(amended).toMatchObject({ status: 'PENDING', version: 2, details: { type: 'INFO_CHANGE', contact: { email: 'second@example.co.kr' }, address: null, businessHours: null } });
}, 60_000);

test('the queue\'s filters, the audit log\'s filters and the figures agree with what the processor wrote', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const master = await suite.stack.token('MASTER', 'admin-audit');
  const exhibition = await run(submitNew(owner, 'EXHIBITION'));
  const restaurant = await run(submitNew(owner, 'RESTAURANT'));
  const rejected = await run(submitNew(owner, 'PERFORMANCE'));
  await run(reject(rejected.applicationId, master, '공연 일정이 맞지 않습니다'));
  const approved = await run(submitNew(owner, 'PERFORMANCE'));
  await run(approve(approved.applicationId, master, '확인'));
  const { rows: [listing] } = await suite.stack.db.query('SELECT id FROM listings WHERE source_application_id = $1', [approved.applicationId]);
  const change = await run({ type: 'SubmitApplication', applicationId: randomUUID(), applicantId: owner, kind: 'INFO_CHANGE', listingId: listing.id, contentType: 'PERFORMANCE', details: infoChangeContact() });

  const page = await suite.signIn('MASTER', 'admin-viewer');
  await page.goto(`${suite.base}/console#/queue`);
  // An INFO_CHANGE row is named by the listing it changes; a new application by its own name.
  await expect(page.locator(`#queue tr[data-id="${change.applicationId}"] a`).textContent()).resolves.toBe('뮤지컬 영웅');
  await expect(page.locator(`#queue tr[data-id="${restaurant.applicationId}"] a`).textContent()).resolves.toBe('을지로 골뱅이집');
  const ids = () => page.locator('#queue tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
  await page.locator(`#queue tr[data-id="${restaurant.applicationId}"]`).waitFor();
  // Oldest first.
  const all = await ids();
  expect(all.indexOf(exhibition.applicationId)).toBeLessThan(all.indexOf(restaurant.applicationId));
  expect(all).not.toContain(rejected.applicationId);
  await page.selectOption('#filter-type', 'EXHIBITION');
  // The list reloads (its rows go while it loads): wait until it holds only exhibitions.
  await page.waitForFunction(([keep, drop]) => {
    const shown = [...document.querySelectorAll('#queue tbody tr')].map((r) => r.getAttribute('data-id'));
    return shown.includes(keep!) && !shown.includes(drop!);
  }, [exhibition.applicationId, restaurant.applicationId]);
  const { rows: types } = await suite.stack.db.query('SELECT DISTINCT content_type FROM applications WHERE id = ANY($1::uuid[])', [await ids()]);
  expect(types).toEqual([{ content_type: 'EXHIBITION' }]);
  await page.selectOption('#filter-age', 'week');
  await page.locator('.state.empty').waitFor();

  await page.goto(`${suite.base}/console#/audit`);
  await page.fill('#audit-admin', 'admin-audit');
  await page.selectOption('#audit-action', 'REJECT');
  await page.click('#audit-filters button[type=submit]');
  const rows = page.locator('#audit tbody tr');
  // The unfiltered log stays on screen until the filtered one replaces it: wait until every row shown matches the filter.
  await page.waitForFunction(() => {
    const shown = [...document.querySelectorAll('#audit tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    return shown.length > 0 && shown.every((cells) => cells[1] === 'admin-audit' && cells[2] === '반려');
  });
  await expect(rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent))))
    .resolves.toEqual([['admin-audit', '반려', '뮤지컬 영웅', '공연 일정이 맞지 않습니다']]);
  await expect(page.locator('#audit thead th').nth(3).textContent()).resolves.toBe('신청 (상호)');
  await expect(rows.locator('a').getAttribute('href')).resolves.toBe(`#/applications/${rejected.applicationId}`);
  // Newest first: the approval came after the rejection.
  await page.selectOption('#audit-action', '');
  await page.click('#audit-filters button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#audit tbody tr').length === 2);
  await expect(rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[2]!.textContent))).resolves.toEqual(['승인', '반려']);

  // An application's page is titled with its business name.
  await page.goto(`${suite.base}/console#/applications/${restaurant.applicationId}`);
  await expect(page.locator('#application-title').textContent()).resolves.toBe('을지로 골뱅이집 신청');

  await page.goto(`${suite.base}/console#/stats`);
  const { rows: counts } = await suite.stack.db.query('SELECT status, count(*)::int AS n FROM applications GROUP BY status');
  for (const { status, n } of counts as { status: string; n: number }[]) {
    await expect(page.locator(`#stats dd[data-key=${status}]`).textContent()).resolves.toBe(String(n));
  }
}, 60_000);
