import { randomUUID } from 'node:crypto';
import { UUID_RULE } from '../../src/domain/ids.ts';
import { decisionResultsSchema } from '../../src/http/decisions.ts';
import { expectProblem, type Reply } from '../http/harness.ts';
import { submitNew } from '../support/commands.ts';
import { gatewayCalls } from '../support/gateway-calls.ts';
import { eventually } from '../support/pipeline.ts';
import { pipelineSuite } from '../support/suite.ts';

/**
 * POST /decisions on the running service: many approvals and rejections in one request, each its
 * own command under its own key on the suite's command topic, a result per item, and what the
 * processor made of each read back from the database.
 */

const suite = pipelineSuite('admin-bulk');
const { call, commandRecords, gatewayWith, post, refusingSender } = gatewayCalls(suite);

/** `count` PENDING applications of one new owner, submitted in one send. */
async function pending(count: number): Promise<string[]> {
  const owner = `owner-${randomUUID().slice(0, 8)}`;
  const commands = await suite.pipeline.sender.send(Array.from({ length: count }, () => submitNew(owner, 'RESTAURANT')));
  const ids = commands.map((command) => command.applicationId);
  await statuses(ids, (found) => found.every((status) => status === 'PENDING'));
  return ids;
}

/** The applications' statuses in `ids` order, once `done` holds for them. */
async function statuses(ids: string[], done: (found: (string | undefined)[]) => boolean): Promise<(string | undefined)[]> {
  return eventually(async () => {
    const { rows } = await suite.stack.db.query('SELECT id, status FROM applications WHERE id = ANY($1::uuid[])', [ids]);
    const found = ids.map((id) => rows.find((row) => row.id === id)?.status as string | undefined);
    return done(found) ? found : undefined;
  }, 60_000);
}

const approval = (applicationId: string, idempotencyKey = randomUUID()) => ({ applicationId, idempotencyKey, decision: 'APPROVE' });
const rejection = (applicationId: string, reason: unknown, idempotencyKey = randomUUID()) => ({ applicationId, idempotencyKey, decision: 'REJECT', reason });

/** The answer is 200 and exactly the documented shape (the schemas are closed). */
function resultsOf(reply: Reply) {
  expect({ status: reply.status, contentType: reply.contentType.split(';')[0] }).toEqual({ status: 200, contentType: 'application/json' });
  return decisionResultsSchema.parse(reply.body).results;
}

/** What the processor recorded for a command, once it did. */
const outcomeAt = (location: string) => eventually(async () => {
  const reply = await call('GET', location, suite.adminToken);
  expect(reply.status).toBe(200);
  return reply.body.status === 'PENDING' ? undefined : reply.body;
}, 60_000);

test('100 decisions in one request: each accepted under its own key, one record each, all applied', async () => {
  const ids = await pending(100);
  const decisions = ids.map((id, index) => (index % 2 === 0 ? approval(id) : rejection(id, '  서류가 부족합니다  ')));
  const before = await commandRecords();

  const results = resultsOf(await post('/decisions', suite.adminToken, { decisions }));
  expect(results).toEqual(decisions.map(({ applicationId, idempotencyKey }) => ({
    status: 'ACCEPTED', applicationId, idempotencyKey, commandId: idempotencyKey, location: `/commands/${idempotencyKey}`,
  })));
  expect(await commandRecords()).toBe(before + 100);

  const found = await statuses(ids, (all) => all.every((status) => status !== 'PENDING'));
  expect(found).toEqual(ids.map((_, index) => (index % 2 === 0 ? 'APPROVED' : 'REJECTED')));
  const { rows } = await suite.stack.db.query('SELECT DISTINCT decided_by, rejection_reason FROM applications WHERE id = ANY($1::uuid[]) AND status = \'REJECTED\'', [ids]);
  expect(rows).toEqual([{ decided_by: 'admin-bulk', rejection_reason: '서류가 부족합니다' }]);
  expect(await outcomeAt(results[0]!.status === 'ACCEPTED' ? results[0]!.location : '')).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationApproved' });
}, 120_000);

test('more than 100 decisions, none, or not a list: 400 and nothing sent', async () => {
  const before = await commandRecords();
  const tooMany = await post('/decisions', suite.adminToken, { decisions: Array.from({ length: 101 }, () => approval(randomUUID())) });
  expectProblem(tooMany, 400, 'invalid-request');
  expect(tooMany.body).toMatchObject({ code: 'TOO_MANY_DECISIONS', errors: [{ path: 'decisions', message: 'must have at most 100 decisions' }] });
  for (const body of [{ decisions: [] }, { decisions: approval(randomUUID()) }, {}, [approval(randomUUID())], { decisions: [approval(randomUUID())], extra: 1 }]) {
    const reply = await post('/decisions', suite.adminToken, body);
    expectProblem(reply, 400, 'invalid-request');
    expect(reply.body.errors).toEqual([{ path: expect.stringMatching(/^(decisions|extra|body)$/), message: expect.any(String) }]);
  }
  expect(await commandRecords()).toBe(before);
});

test('broken items are refused on their own, each with its code; the valid ones are sent and applied', async () => {
  const [approved, rejected] = await pending(2);
  const key = randomUUID();
  const decisions = [
    approval('not-an-id'),
    approval(approved!, key),
    rejection(rejected!, '   '),
    { ...approval(rejected!), note: 'x'.repeat(1001) },
    approval(rejected!, key),
    rejection(rejected!, '영업 신고증이 없습니다'),
    { applicationId: rejected, decision: 'MAYBE' },
  ];
  const before = await commandRecords();
  const results = resultsOf(await post('/decisions', suite.adminToken, { decisions }));
  expect(results.map((result) => (result.status === 'ACCEPTED' ? 'ACCEPTED' : result.code))).toEqual([
    'VALIDATION_FAILED', 'ACCEPTED', 'REASON_REQUIRED', 'VALIDATION_FAILED', 'DUPLICATE_KEY', 'ACCEPTED', 'VALIDATION_FAILED',
  ]);
  expect(results[0]).toEqual({
    status: 'REFUSED', applicationId: 'not-an-id', idempotencyKey: (decisions[0] as { idempotencyKey: string }).idempotencyKey, code: 'VALIDATION_FAILED',
    message: `applicationId: ${UUID_RULE}.`, errors: [{ path: 'applicationId', message: UUID_RULE }],
  });
  expect(results[3]).toMatchObject({ errors: [{ path: 'note' }] });
  expect(await commandRecords()).toBe(before + 2);
  expect(await statuses([approved!, rejected!], (found) => !found.includes('PENDING'))).toEqual(['APPROVED', 'REJECTED']);
});

test('one decided meanwhile by another admin through the gateway: accepted, and its outcome is NOT_PENDING; the others are applied', async () => {
  const ids = await pending(3);
  const other = await suite.stack.token('MASTER', 'admin-other');
  const first = await post(`/applications/${ids[1]}/reject`, other, { reason: '먼저 반려합니다' });
  expect(first.status).toBe(202);
  expect(await outcomeAt(first.headers.get('location')!)).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationRejected' });

  const results = resultsOf(await post('/decisions', suite.adminToken, { decisions: ids.map((id) => approval(id)) }));
  expect(results.map((result) => result.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
  const outcomes = await Promise.all(results.map((result) => outcomeAt(result.status === 'ACCEPTED' ? result.location : '')));
  expect(outcomes.map((outcome) => [outcome.status, outcome.code])).toEqual([['ACCEPTED', null], ['REJECTED', 'NOT_PENDING'], ['ACCEPTED', null]]);
  const { rows } = await suite.stack.db.query('SELECT status, decided_by FROM applications WHERE id = $1', [ids[1]]);
  expect(rows).toEqual([{ status: 'REJECTED', decided_by: 'admin-other' }]);
});

test('a retried request with the same keys sends nothing new and changes nothing, even after a lost acknowledgement; a key with another decision is refused', async () => {
  const ids = await pending(3);
  const decisions = [approval(ids[0]!), rejection(ids[1]!, '사진이 흐립니다'), approval(ids[2]!)];
  const first = resultsOf(await post('/decisions', suite.adminToken, { decisions }));
  expect(await statuses(ids, (found) => !found.includes('PENDING'))).toEqual(['APPROVED', 'REJECTED', 'APPROVED']);
  const state = async () => (await suite.stack.db.query('SELECT id, status, version, updated_at FROM applications WHERE id = ANY($1::uuid[]) ORDER BY id', [ids])).rows;
  const [stateBefore, before] = [await state(), await commandRecords()];

  expect(resultsOf(await post('/decisions', suite.adminToken, { decisions }))).toEqual(first);
  // As if the broker's acknowledgement of the first item had been lost: the gateway's record says
  // unsent, but the processor applied it, so it is still not sent again.
  await suite.stack.db.query('UPDATE gateway_commands SET sent_at = NULL WHERE command_id = $1', [decisions[0]!.idempotencyKey]);
  const upper = decisions.map((decision) => ({ ...decision, idempotencyKey: decision.idempotencyKey.toUpperCase() }));
  expect(resultsOf(await post('/decisions', suite.adminToken, { decisions: upper }))).toEqual(first.map((result, index) => ({ ...result, idempotencyKey: decisions[index]!.idempotencyKey })));
  const reused = resultsOf(await post('/decisions', suite.adminToken, { decisions: [rejection(ids[0]!, '다른 결정', decisions[0]!.idempotencyKey)] }));
  expect(reused).toEqual([expect.objectContaining({ status: 'REFUSED', code: 'IDEMPOTENCY_KEY_REUSED', applicationId: ids[0] })]);
  // Another admin with the same keys is another request.
  const otherAdmin = resultsOf(await post('/decisions', await suite.stack.token('MASTER', 'admin-other'), { decisions }));
  expect(otherAdmin.map((result) => result.status === 'REFUSED' && result.code)).toEqual(['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REUSED']);

  expect(await commandRecords()).toBe(before);
  expect(await state()).toEqual(stateBefore);
  const { rows } = await suite.stack.db.query('SELECT count(*)::int AS n FROM gateway_commands WHERE command_id = $1 AND sent_at IS NOT NULL', [decisions[0]!.idempotencyKey]);
  expect(rows).toEqual([{ n: 1 }]);
});

test('401 without a token, 403 for an OWNER token: nothing sent', async () => {
  const [id] = await pending(1);
  const before = await commandRecords();
  expectProblem(await post('/decisions', null, { decisions: [approval(id!)] }), 401, 'unauthorized');
  expectProblem(await post('/decisions', await suite.stack.token('OWNER', 'owner-bulk'), { decisions: [approval(id!)] }), 403, 'forbidden');
  expectProblem(await call('GET', '/decisions', suite.adminToken), 405, 'method-not-allowed');
  expect(await commandRecords()).toBe(before);
  expect(await statuses([id!], () => true)).toEqual(['PENDING']);
});

test('broker away: each valid item refused as BROKER_UNAVAILABLE with Retry-After, never accepted; the same request later sends them once', async () => {
  const ids = await pending(2);
  const away = await gatewayWith(refusingSender());
  const decisions = [approval(ids[0]!), rejection(ids[1]!, ''), rejection(ids[1]!, '주소가 다릅니다')];
  const before = await commandRecords();
  try {
    const reply = await call('POST', '/decisions', suite.adminToken, { decisions }, {}, away.url);
    expect(resultsOf(reply).map((result) => result.status === 'REFUSED' && result.code)).toEqual(['BROKER_UNAVAILABLE', 'REASON_REQUIRED', 'BROKER_UNAVAILABLE']);
    expect(reply.headers.get('retry-after')).toBe('5');
    expectProblem(await call('GET', `/commands/${decisions[0]!.idempotencyKey}`, suite.adminToken, undefined, {}, away.url), 404, 'not-found');
  } finally {
    await away.close();
  }
  expect(await commandRecords()).toBe(before);

  const retried = await post('/decisions', suite.adminToken, { decisions });
  expect(retried.headers.get('retry-after')).toBeNull();
  expect(resultsOf(retried).map((result) => result.status === 'REFUSED' ? result.code : result.status)).toEqual(['ACCEPTED', 'REASON_REQUIRED', 'ACCEPTED']);
  expect(await commandRecords()).toBe(before + 2);
  expect(await statuses(ids, (found) => !found.includes('PENDING'))).toEqual(['APPROVED', 'REJECTED']);
});
