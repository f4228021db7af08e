import { randomUUID } from 'node:crypto';
import { payloadOf } from '../support/commands.ts';
import { byId, consoleSuite, fillForm } from './browser.ts';

/**
 * Schema v2 through the console: the business registration and the content services' per-type
 * data are filled in on the apply form, a bad registration number is refused by the form and by
 * the server, the reviewer sees both on the decision page, and the approved listing's
 * ListingPublished carries them.
 */

const suite = consoleSuite();

const PERFORMANCE = {
  name: '뮤지컬 영웅', 'specific.venue': '블루스퀘어 신한카드홀', 'specific.startDate': '2027-03-01', 'specific.endDate': '2027-05-31',
  'specific.runtimeMinutes': '160', 'specific.ageRating': 'AGE_12', 'specific.performanceType': 'MUSICAL',
  'specific.cast': '정성화\n양준모\n\n린아', 'specific.ticketWindow.opensAt': '2027-02-01T10:00', 'specific.ticketWindow.closesAt': '2027-05-30T20:00',
  'contact.phone': '02-123-4567', 'contact.email': 'show@example.com', 'address.postalCode': '04354', 'address.road': '서울특별시 용산구 이태원로 294',
  'businessRegistration.representativeName': '김영희',
};

/** 220-81-62517 is valid; its last digit changed, the check digit no longer matches. */
const BAD_NUMBER = '220-81-62518';

test('a performance with its registration data, a bad registration number refused by the form and by the server, through to ListingPublished', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const page = await suite.signIn('OWNER', owner);
  await page.goto(`${suite.base}/console#/apply`);
  await fillForm(page, 'PERFORMANCE', { ...PERFORMANCE, 'businessRegistration.number': BAD_NUMBER });
  await page.click('#submit');
  await expect(page.locator(byId('businessRegistration.number-error')).textContent()).resolves.toBe('유효하지 않은 사업자등록번호입니다 (검증 숫자 불일치).');
  await expect(page.locator(byId('businessRegistration.number')).getAttribute('aria-invalid')).resolves.toBe('true');
  // The form refused it: nothing reached the gateway.
  const { rows: sent } = await suite.stack.db.query('SELECT command_id FROM gateway_commands WHERE requested_by = $1', [owner]);
  expect(sent).toEqual([]);

  // The server refuses the same number by the same rule, naming the field.
  const token = await suite.stack.token('OWNER', owner);
  const refused = await fetch(`${suite.base}/applications`, {
    method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
    body: JSON.stringify({ kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: {
      type: 'LISTING', name: '을지로 골뱅이집', contact: { phone: '02-123-4567', email: 'a@example.com' }, address: { postalCode: '04523', road: '서울특별시 중구 을지로 1' },
      businessHours: [], specific: { type: 'RESTAURANT', cuisine: '한식', seatCapacity: 40 }, businessRegistration: { number: BAD_NUMBER, representativeName: '김영희' },
    } }),
  });
  expect(refused.status).toBe(400);
  expect((await refused.json()).errors).toEqual([
    { path: 'details.businessRegistration.number', message: 'is not a valid business registration number (its check digit does not match)' },
  ]);

  await page.fill(byId('businessRegistration.number'), '220-81-62517');
  await page.click('#submit');
  await page.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const { rows: [submitted] } = await suite.stack.db.query('SELECT id, details FROM applications WHERE applicant_id = $1', [owner]);
  expect(submitted.details).toMatchObject({
    businessRegistration: { number: '2208162517', representativeName: '김영희' },
    specific: {
      type: 'PERFORMANCE', ageRating: 'AGE_12', performanceType: 'MUSICAL', cast: ['정성화', '양준모', '린아'],
      ticketWindow: { opensAt: '2027-02-01T10:00', closesAt: '2027-05-30T20:00' },
    },
  });

  // The reviewer sees the registration and the per-type data, under the business name.
  const master = await suite.signIn('MASTER', 'admin-registration');
  await master.goto(`${suite.base}/console#/applications/${submitted.id}`);
  await expect(master.locator('#application-title').textContent()).resolves.toBe('뮤지컬 영웅 신청');
  await expect(master.locator('#registration-number').textContent()).resolves.toBe('220-81-62517');
  await expect(master.locator('#representative-name').textContent()).resolves.toBe('김영희');
  await expect(master.locator('dd[data-field=performanceType]').textContent()).resolves.toBe('뮤지컬');
  await expect(master.locator('dd[data-field=cast]').textContent()).resolves.toBe('정성화, 양준모, 린아');
  await expect(master.locator('dd[data-field=ticketWindow]').textContent()).resolves.toBe('2027-02-01 10:00 – 2027-05-30 20:00');
  await master.click('#approve');
  await master.locator('.outcome.accepted[data-outcome=ApplicationApproved]').waitFor();

  const { rows: [listing] } = await suite.stack.db.query('SELECT id FROM listings WHERE owner_id = $1', [owner]);
  const [published] = await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.listings.PERFORMANCE && m.key === listing.id);
  expect(payloadOf(published!)).toEqual({ type: 'ListingPublished', body: { listing: expect.objectContaining({
    name: '뮤지컬 영웅',
    businessRegistration: { number: '2208162517', representativeName: '김영희' },
    specific: { 'platform.backoffice.PerformanceDetails': {
      venue: '블루스퀘어 신한카드홀', startDate: '2027-03-01', endDate: '2027-05-31', runtimeMinutes: 160, ageRating: 'AGE_12',
      performanceType: 'MUSICAL', cast: ['정성화', '양준모', '린아'], ticketWindow: { opensAt: '2027-02-01T10:00', closesAt: '2027-05-30T20:00' },
    } },
  }) } });

  // The owner changes the cast and the ticket sales (what an owner may change on a performance); approved, the listing follows.
  await page.goto(`${suite.base}/console#/listings/${listing.id}`);
  expect(await page.locator('#change-artists, #change-region').count()).toBe(0);
  await page.check('#change-cast');
  await page.check('#change-ticketWindow');
  await page.fill('#cast', '정성화\n린아\n이지훈');
  await page.fill(byId('ticketWindow.closesAt'), '2027-06-01T20:00');
  await page.click('#send-change');
  await expect(page.locator(byId('ticketWindow.closesAt-error')).textContent()).resolves.toBe('ticket sales must close before the run ends (2027-05-31)');
  await page.fill(byId('ticketWindow.closesAt'), '2027-05-31T12:00');
  await page.click('#send-change');
  await page.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const { rows: [change] } = await suite.stack.db.query('SELECT id FROM applications WHERE applicant_id = $1 AND kind = \'INFO_CHANGE\'', [owner]);
  await master.goto(`${suite.base}/console#/applications/${change.id}`);
  await expect(master.locator('#application-title').textContent()).resolves.toBe('뮤지컬 영웅 신청');
  await expect(master.locator('#compare').textContent()).resolves.toContain('정성화, 린아, 이지훈');
  await master.click('#approve');
  await master.locator('.outcome.accepted[data-outcome=ApplicationApproved]').waitFor();
  const [, changed] = await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.listings.PERFORMANCE && m.key === listing.id, 2);
  expect(payloadOf(changed!)).toMatchObject({ type: 'ListingInfoChanged', body: { specific: { 'platform.backoffice.PerformanceDetails': {
    cast: ['정성화', '린아', '이지훈'], ticketWindow: { opensAt: '2027-02-01T10:00', closesAt: '2027-05-31T12:00' }, performanceType: 'MUSICAL',
  } } } });
}, 120_000);

test('the server\'s per-type rules show by their fields: a pub admits adults only, ticket sales close before the run ends', async () => {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const page = await suite.signIn('OWNER', owner);
  await page.goto(`${suite.base}/console#/apply`);
  await fillForm(page, 'RESTAURANT', {
    name: '을지로 호프', 'specific.cuisine': '호프', 'specific.seatCapacity': '60', 'specific.restaurantType': 'PUB', 'specific.ageRating': 'ALL',
    'contact.phone': '02-123-4567', 'contact.email': 'pub@example.com', 'address.postalCode': '04523', 'address.road': '서울특별시 중구 을지로 1',
  });
  await page.click('#submit');
  await expect(page.locator(byId('specific.ageRating-error')).textContent()).resolves.toBe('must be AGE_19 for a PUB, which admits adults only');
  await page.selectOption(byId('specific.ageRating'), 'AGE_19');
  await page.click('#submit');
  await page.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const { rows: [pub] } = await suite.stack.db.query('SELECT details->\'specific\' AS specific FROM applications WHERE applicant_id = $1', [owner]);
  expect(pub.specific).toMatchObject({ restaurantType: 'PUB', ageRating: 'AGE_19' });

  // Away and back: a fresh form.
  await page.goto(`${suite.base}/console#/mine`);
  await page.goto(`${suite.base}/console#/apply`);
  await fillForm(page, 'EXHIBITION', {
    name: 'Light & Space', 'specific.venue': '국립현대미술관 서울관', 'specific.startDate': '2027-04-01', 'specific.endDate': '2027-08-31',
    'specific.ticketPriceKrw': '15000', 'specific.region': 'SEOUL', 'specific.artists': 'James Turrell',
    'specific.dailyHours.opensAt': '10:00', 'specific.dailyHours.closesAt': '18:00',
    'specific.ticketWindow.opensAt': '2027-03-01T09:00', 'specific.ticketWindow.closesAt': '2027-09-01T09:00',
    'contact.phone': '02-3701-9500', 'contact.email': 'mmca@example.com', 'address.postalCode': '03062', 'address.road': '서울특별시 종로구 삼청로 30',
  });
  await page.click('#submit');
  await expect(page.locator(byId('specific.ticketWindow.closesAt-error')).textContent()).resolves.toBe('ticket sales must close before the run ends (2027-08-31)');
  await page.fill(byId('specific.ticketWindow.closesAt'), '2027-08-31T17:00');
  await page.click('#submit');
  await page.locator('.outcome.accepted[data-outcome=ApplicationSubmitted]').waitFor();
  const { rows: [exhibition] } = await suite.stack.db.query('SELECT details->\'specific\' AS specific FROM applications WHERE applicant_id = $1 AND content_type = \'EXHIBITION\'', [owner]);
  expect(exhibition.specific).toMatchObject({
    region: 'SEOUL', artists: ['James Turrell'], dailyHours: { opensAt: '10:00', closesAt: '18:00', overnight: false },
    ticketWindow: { opensAt: '2027-03-01T09:00', closesAt: '2027-08-31T17:00' },
  });
}, 90_000);
