import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { CommandSender, type CommandInput } from '../../src/client/command-sender.ts';
import { UUID_RULE, uuidFromHex } from '../../src/domain/ids.ts';
import { createKafka } from '../../src/kafka.ts';
import { restaurantDetails, infoChangeHours } from '../fixtures/details.ts';
import { expectProblem, type Reply } from '../http/harness.ts';
import { eventually } from '../support/pipeline.ts';
import { gatewayCalls } from '../support/gateway-calls.ts';
import { pipelineSuite } from '../support/suite.ts';

/**
 * The command gateway on the running service: JSON in, an Avro command on the suite's command
 * topic, 202 once the broker acknowledged it, and the outcome read back from what the processor
 * recorded.
 */

const suite = pipelineSuite('admin-gateway');
const { call, commandRecords, gatewayWith, post, refusingSender } = gatewayCalls(suite);
const owner = () => `owner-${randomUUID().slice(0, 8)}`;
const newRestaurant = () => ({ kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: restaurantDetails() });

/** Polls the Location a 202 gave until the processor recorded an outcome. */
async function outcome(accepted: Reply, token: string) {
  expect(accepted.status).toBe(202);
  const location = accepted.headers.get('location')!;
  expect(location).toBe(`/commands/${accepted.body.commandId}`);
  return eventually(async () => {
    const reply = await call('GET', location, token);
    expect(reply.status).toBe(200);
    return reply.body.status === 'PENDING' ? undefined : reply.body;
  });
}

test('submit, amend and approve through the gateway: 202, Location, outcome read back from the processor', async () => {
  const applicant = owner();
  const ownerToken = await suite.stack.token('OWNER', applicant);
  const submitted = await post('/applications', ownerToken, newRestaurant());
  expect(submitted.body).toEqual({ commandId: expect.any(String), applicationId: expect.any(String), status: 'PENDING' });
  expect(await outcome(submitted, ownerToken)).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationSubmitted', version: 1, commandType: 'SubmitApplication' });
  const id = submitted.body.applicationId as string;

  const amended = await post(`/applications/${id}/amend`, ownerToken, { details: restaurantDetails({ name: '을지로 골뱅이집 본점' }) });
  expect(await outcome(amended, ownerToken)).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationAmended', version: 2 });
  const approved = await post(`/applications/${id}/approve`, suite.adminToken, { note: '서류 확인' });
  const approval = await outcome(approved, suite.adminToken);
  expect(approval).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationApproved', version: 3, listingId: expect.any(String) });

  // The applicant came from the token, the admin from the token the command carried.
  const { rows } = await suite.stack.db.query('SELECT applicant_id, status, decided_by, decision_note, details->>\'name\' AS name FROM applications WHERE id = $1', [id]);
  expect(rows).toEqual([{ applicant_id: applicant, status: 'APPROVED', decided_by: 'admin-gateway', decision_note: '서류 확인', name: '을지로 골뱅이집 본점' }]);

  // A change request on the new listing, then a second decision on a decided application.
  const change = await post('/applications', ownerToken, { kind: 'INFO_CHANGE', contentType: 'RESTAURANT', listingId: approval.listingId, details: infoChangeHours() });
  expect(await outcome(change, ownerToken)).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationSubmitted' });
  // Another owner may not ask to change this listing.
  const intruder = await suite.stack.token('OWNER', owner());
  expectProblem(await post('/applications', intruder, { kind: 'INFO_CHANGE', contentType: 'RESTAURANT', listingId: approval.listingId, details: infoChangeHours() }), 403, 'forbidden');
  const late = await post(`/applications/${id}/reject`, suite.adminToken, { reason: '늦은 결정' });
  expect(await outcome(late, suite.adminToken)).toMatchObject({ status: 'REJECTED', outcome: 'CommandRejected', code: 'NOT_PENDING', message: expect.any(String) });
});

test('401 without a token, 403 for the wrong role or another owner\'s application or listing', async () => {
  const applicant = owner();
  const ownerToken = await suite.stack.token('OWNER', applicant);
  const otherToken = await suite.stack.token('OWNER', owner());
  const submitted = await post('/applications', ownerToken, newRestaurant());
  await outcome(submitted, ownerToken);
  const id = submitted.body.applicationId as string;
  const before = await commandRecords();

  expectProblem(await post('/applications', null, newRestaurant()), 401, 'unauthorized');
  expectProblem(await post(`/applications/${id}/approve`, 'not-a-jwt', {}), 401, 'unauthorized');
  expectProblem(await post('/applications', suite.adminToken, newRestaurant()), 403, 'forbidden');
  expectProblem(await post(`/applications/${id}/approve`, ownerToken, {}), 403, 'forbidden');
  expectProblem(await post(`/applications/${id}/reject`, ownerToken, { reason: 'mine' }), 403, 'forbidden');
  expectProblem(await post(`/applications/${id}/withdraw`, otherToken), 403, 'forbidden');
  expectProblem(await post(`/applications/${id}/amend`, otherToken, { details: restaurantDetails() }), 403, 'forbidden');
  expectProblem(await call('GET', `/commands/${submitted.body.commandId}`, otherToken), 403, 'forbidden');
  // Nothing refused reached the topic.
  expect(await commandRecords()).toBe(before);

  const withdrawn = await post(`/applications/${id}/withdraw`, ownerToken);
  expect(await outcome(withdrawn, ownerToken)).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationWithdrawn' });
});

test('400 with every broken field by path, and nothing produced', async () => {
  const ownerToken = await suite.stack.token('OWNER', owner());
  const before = await commandRecords();
  const shape = await post('/applications', ownerToken, { kind: 'SOMETIMES', contentType: 'RESTAURANT', details: { ...restaurantDetails(), contact: { phone: 42 } }, extra: 1 });
  expectProblem(shape, 400, 'invalid-request');
  expect(shape.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['details.contact.email', 'details.contact.phone', 'extra', 'kind']);

  const details = restaurantDetails({ contact: { phone: '12', email: 'not-an-email' }, address: { postalCode: 'abc' } });
  details.businessHours[1] = { day: 'TUESDAY', hours: { opensAt: '22:00', closesAt: '11:00', overnight: false } };
  const content = await post('/applications', ownerToken, { kind: 'NEW_LISTING', contentType: 'RESTAURANT', details });
  expectProblem(content, 400, 'invalid-request');
  expect(content.body.errors.map((e: { path: string }) => e.path)).toEqual([
    'details.contact.phone', 'details.contact.email', 'details.address.postalCode', 'details.businessHours[1].hours.closesAt',
  ]);
  expect(content.body.detail).toContain('details.contact.phone: ');

  // An application the read side does not know: its details are still checked, so what is sent is a valid command.
  const unknown = await post(`/applications/${randomUUID()}/amend`, ownerToken, { details: restaurantDetails({ specific: { seatCapacity: 29_861_301_912 } }) });
  expectProblem(unknown, 400, 'invalid-request');
  expect(unknown.body.errors).toEqual([{ path: 'details.specific.seatCapacity', message: 'must be between 1 and 10000 (got 29861301912)' }]);

  const id = randomUUID();
  for (const reason of [undefined, '', '   ', 'x'.repeat(1001)]) {
    const reply = await post(`/applications/${id}/reject`, suite.adminToken, reason === undefined ? {} : { reason });
    expectProblem(reply, 400, 'invalid-request');
    expect(reply.body.errors).toEqual([{ path: 'reason', message: expect.any(String) }]);
  }
  const truncated = await post('/applications', ownerToken, '{"kind":', {});
  expectProblem(truncated, 400, 'invalid-request');
  expect(truncated.body.detail).toBe('The body is not valid JSON.');
  expect((await post(`/applications/${id}/approve`, suite.adminToken, { note: 'ok' }, { 'Idempotency-Key': 'twice' })).body.errors)
    .toEqual([{ path: 'Idempotency-Key', message: `header ${UUID_RULE}` }]);
  expectProblem(await post('/applications/not-a-uuid/withdraw', ownerToken), 400, 'invalid-request');
  expect(await commandRecords()).toBe(before);
});

test('Idempotency-Key: a retried POST sends nothing new; the key with another body is refused as IDEMPOTENCY_KEY_REUSED', async () => {
  const ownerToken = await suite.stack.token('OWNER', owner());
  const key = randomUUID();
  const body = newRestaurant();
  const first = await post('/applications', ownerToken, body, { 'Idempotency-Key': key });
  expect(first.body.commandId).toBe(key);
  await outcome(first, ownerToken);
  const before = await commandRecords();

  const retried = await post('/applications', ownerToken, body, { 'Idempotency-Key': key.toUpperCase() });
  expect(retried.status).toBe(202);
  expect(retried.body).toEqual(first.body);
  expect(retried.headers.get('location')).toBe(`/commands/${key}`);

  const other = await post('/applications', ownerToken, { ...body, contentType: 'RESTAURANT', details: restaurantDetails({ name: '다른 가게' }) }, { 'Idempotency-Key': key });
  expectProblem(other, 422, 'idempotency-key-reused');
  expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  // Another caller with the same key is another request too.
  expectProblem(await post('/applications', await suite.stack.token('OWNER', owner()), body, { 'Idempotency-Key': key }), 422, 'idempotency-key-reused');

  expect(await commandRecords()).toBe(before);
  const { rows } = await suite.stack.db.query('SELECT count(*)::int AS n FROM processed_commands WHERE command_id = $1', [key]);
  expect(rows[0].n).toBe(1);
});

test('503 with Retry-After when the broker refuses, nothing produced; the same key later sends the recorded command once', async () => {
  const ownerToken = await suite.stack.token('OWNER', owner());
  const away = await gatewayWith(refusingSender());
  const before = await commandRecords();
  const key = randomUUID();
  const body = newRestaurant();
  try {
    const refused = await call('POST', '/applications', ownerToken, body, { 'Idempotency-Key': key }, away.url);
    expectProblem(refused, 503, 'service-unavailable');
    expect(refused.headers.get('retry-after')).toBe('5');
    // The service stays up and answers the next request.
    expect((await call('GET', '/healthz', null, undefined, {}, away.url)).status).toBe(200);
    expectProblem(await call('GET', `/commands/${key}`, ownerToken, undefined, {}, away.url), 404, 'not-found');
  } finally {
    await away.close();
  }
  expect(await commandRecords()).toBe(before);

  const retried = await post('/applications', ownerToken, body, { 'Idempotency-Key': key });
  expect(await outcome(retried, ownerToken)).toMatchObject({ commandId: key, status: 'ACCEPTED', outcome: 'ApplicationSubmitted' });
  expect(await commandRecords()).toBe(before + 1);
});

/** A version 7 UUID (RFC 9562: 48-bit Unix milliseconds, version 7, random rest), as time-ordered generators make them. */
function uuidV7(): string {
  return uuidFromHex(`${Date.now().toString(16).padStart(12, '0')}7${randomUUID().replaceAll('-', '').slice(13)}`);
}

test('an Idempotency-Key the processor would dead-letter is refused at the gateway; every RFC 9562 version is taken and reaches its outcome', async () => {
  const ownerToken = await suite.stack.token('OWNER', owner());
  const before = await commandRecords();
  // Hex of the right shape that no UUID generator makes: version "a", the nil UUID, the max UUID.
  for (const key of ['aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF']) {
    const refused = await post('/applications', ownerToken, newRestaurant(), { 'Idempotency-Key': key });
    expectProblem(refused, 400, 'invalid-request');
    expect(refused.body.errors).toEqual([{ path: 'Idempotency-Key', message: `header ${UUID_RULE}` }]);
    // The same rule reads the path: no command can ever be waited for under such an id.
    expectProblem(await call('GET', `/commands/${key}`, ownerToken), 400, 'invalid-request');
  }
  expect(await commandRecords()).toBe(before);

  for (const key of [uuidV7(), randomUUID()]) {
    const accepted = await post('/applications', ownerToken, newRestaurant(), { 'Idempotency-Key': key });
    expect(await outcome(accepted, ownerToken)).toMatchObject({ commandId: key, status: 'ACCEPTED', outcome: 'ApplicationSubmitted' });
  }
});

/** A gateway whose registry is not the processor's: the schema id it writes is one the processor cannot look up. */
class ForeignRegistrySender extends CommandSender {
  override encode(input: CommandInput) {
    const encoded = super.encode(input);
    const value = Buffer.from(encoded.value);
    value.writeInt32BE(999_999, 1);
    return { ...encoded, value };
  }
}

test('a command the processor dead-lettered answers DEAD_LETTERED with the dead letter\'s code, for decoded and for undecodable bytes', async () => {
  const refusedOwner = `owner-unwritable-${randomUUID().slice(0, 8)}`;
  const ownerToken = await suite.stack.token('OWNER', refusedOwner);
  const deadLetters = async (commandId: string) => (await suite.stack.db.query(
    'SELECT code, source_partition >= 0 AS sourced FROM dead_lettered_commands WHERE command_id = $1', [commandId])).rows;

  // PostgreSQL refuses the decoded command (a constraint the code knows nothing of): UNWRITABLE.
  await suite.stack.db.query(`ALTER TABLE applications ADD CONSTRAINT refuse_gateway_owner CHECK (applicant_id <> '${refusedOwner}')`);
  let unwritable: Reply;
  try {
    unwritable = await post('/applications', ownerToken, newRestaurant());
    expect(await outcome(unwritable, ownerToken)).toEqual({
      commandId: unwritable.body.commandId, applicationId: unwritable.body.applicationId, commandType: 'SubmitApplication', status: 'DEAD_LETTERED',
      outcome: null, version: null, listingId: null, code: 'UNWRITABLE', message: expect.stringContaining('SQLSTATE 23514'),
    });
  } finally {
    await suite.stack.db.query('ALTER TABLE applications DROP CONSTRAINT refuse_gateway_owner');
  }
  expect(await deadLetters(unwritable.body.commandId)).toEqual([{ code: 'UNWRITABLE', sourced: true }]);

  // Bytes the processor cannot decode at all are matched to the gateway's record by key and bytes.
  const foreign = await gatewayWith(new ForeignRegistrySender(createKafka(suite.stack.config, pino({ level: 'silent' }), '-foreign'), suite.pipeline.serde, suite.pipeline.topics));
  try {
    const ownerB = await suite.stack.token('OWNER', owner());
    const sent = await call('POST', '/applications', ownerB, newRestaurant(), {}, foreign.url);
    expect(sent.status).toBe(202);
    // The main service answers: what the processor recorded is in the shared database.
    expect(await outcome(sent, ownerB)).toMatchObject({ status: 'DEAD_LETTERED', code: 'UNKNOWN_SCHEMA', message: 'schema id 999999 is not in the registry' });
    expect(await deadLetters(sent.body.commandId)).toEqual([{ code: 'UNKNOWN_SCHEMA', sourced: true }]);
    // Another owner may not read it.
    expectProblem(await call('GET', `/commands/${sent.body.commandId}`, ownerToken), 403, 'forbidden');
  } finally {
    await foreign.close();
  }
});
