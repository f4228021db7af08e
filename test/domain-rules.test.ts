import { randomUUID } from 'node:crypto';
import { pipelineSuite } from './support/suite.ts';
import { approve, forCommand, payloadOf, submitNew, withdraw } from './support/commands.ts';
import { infoChangeContact, infoChangeHours, restaurantDetails } from './fixtures/details.ts';
import type { CommandInput } from '../src/client/command-sender.ts';

const suite = pipelineSuite('admin-rules');
const run = (input: CommandInput) => suite.run(input);

const row = async (id: string) => (await suite.stack.db.query('SELECT status, version, details FROM applications WHERE id = $1', [id])).rows[0];

test('amend and withdraw only by the applicant, only while PENDING', async () => {
  const submitted = await run(submitNew('owner-a'));
  const id = submitted.command.applicationId;
  const amendedDetails = restaurantDetails({ name: '새 이름 식당' });
  expect(await run({ type: 'AmendApplication', applicationId: id, applicantId: 'owner-b', details: amendedDetails })).toMatchObject({ body: { code: 'FORBIDDEN' } });
  expect(await run(withdraw(id, 'owner-b'))).toMatchObject({ body: { code: 'FORBIDDEN' } });
  expect((await run({ type: 'AmendApplication', applicationId: id, applicantId: 'owner-a', details: amendedDetails })).type).toBe('ApplicationAmended');
  expect((await run(withdraw(id, 'owner-a'))).type).toBe('ApplicationWithdrawn');
  expect(await run({ type: 'AmendApplication', applicationId: id, applicantId: 'owner-a', details: amendedDetails })).toMatchObject({ body: { code: 'NOT_PENDING' } });
  expect(await row(id)).toMatchObject({ status: 'WITHDRAWN', version: 3, details: { name: '새 이름 식당' } });
});

test('invalid details are VALIDATION_FAILED with the field path, and nothing is written', async () => {
  const input = { ...submitNew('owner-v'), details: restaurantDetails({ contact: { phone: 'call me' }, specific: { seatCapacity: 0 } }) };
  const outcome = await run(input);
  expect(outcome).toMatchObject({ type: 'CommandRejected', body: { code: 'VALIDATION_FAILED' } });
  expect(outcome.body.message).toContain('details.contact.phone');
  expect(outcome.body.message).toContain('seatCapacity');
  expect(await row(outcome.command.applicationId)).toBeUndefined();
});

test('a change request for a missing listing or somebody else\'s listing is refused', async () => {
  const missing = await run({ type: 'SubmitApplication', applicationId: randomUUID(), applicantId: 'owner-c', kind: 'INFO_CHANGE', listingId: randomUUID(), contentType: 'RESTAURANT', details: infoChangeHours() });
  expect(missing).toMatchObject({ body: { code: 'LISTING_NOT_FOUND' } });

  const submitted = await run(submitNew('owner-c'));
  const approved = await run(approve(submitted.command.applicationId, suite.adminToken));
  const foreign = await run({ type: 'SubmitApplication', applicationId: randomUUID(), applicantId: 'owner-d', kind: 'INFO_CHANGE', listingId: approved.body.listingId, contentType: 'RESTAURANT', details: infoChangeHours() });
  expect(foreign).toMatchObject({ body: { code: 'FORBIDDEN' } });
});

test('a commandId reused with a different payload is IDEMPOTENCY_KEY_REUSED and applies nothing', async () => {
  const original = await run(submitNew('owner-e'));
  const reusedId = original.command.commandId;
  const [reused] = await suite.pipeline.sender.send([{ ...withdraw(original.command.applicationId, 'owner-e'), commandId: reusedId }]);
  const outcomes = await suite.pipeline.reader.waitFor(forCommand(suite.pipeline.topics.events, reused!.commandId), 2);
  expect(payloadOf(outcomes[1]!)).toMatchObject({ type: 'CommandRejected', body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  expect(await row(original.command.applicationId)).toMatchObject({ status: 'PENDING', version: 1 });
});

test('the database itself refuses a second PENDING change for a listing', async () => {
  const submitted = await run(submitNew('owner-f'));
  const approved = await run(approve(submitted.command.applicationId, suite.adminToken));
  await run({ type: 'SubmitApplication', applicationId: randomUUID(), applicantId: 'owner-f', kind: 'INFO_CHANGE', listingId: approved.body.listingId, contentType: 'RESTAURANT', details: infoChangeHours() });
  const pending = (await suite.stack.db.query("SELECT * FROM applications WHERE listing_id = $1 AND status = 'PENDING'", [approved.body.listingId])).rows[0];
  await expect(suite.stack.db.query(
    `INSERT INTO applications (id, applicant_id, kind, listing_id, content_type, status, details, version, created_at, updated_at)
     VALUES ($1, 'owner-f', 'INFO_CHANGE', $2, 'RESTAURANT', 'PENDING', $3, 1, now(), now())`,
    [randomUUID(), approved.body.listingId, pending.details],
  )).rejects.toThrow(/applications_one_pending_change_per_listing/);
});

test('an INFO_CHANGE application can be amended with new change details', async () => {
  const submitted = await run(submitNew('owner-g'));
  const approved = await run(approve(submitted.command.applicationId, suite.adminToken));
  const change = await run({ type: 'SubmitApplication', applicationId: randomUUID(), applicantId: 'owner-g', kind: 'INFO_CHANGE', listingId: approved.body.listingId, contentType: 'RESTAURANT', details: infoChangeHours() });
  const amended = await run({ type: 'AmendApplication', applicationId: change.command.applicationId, applicantId: 'owner-g', details: infoChangeContact() });
  expect(amended.type).toBe('ApplicationAmended');
  expect(await row(change.command.applicationId)).toMatchObject({ version: 2, details: { type: 'INFO_CHANGE', contact: { email: 'new@example.co.kr' }, businessHours: null } });
});
