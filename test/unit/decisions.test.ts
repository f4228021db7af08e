import { randomUUID } from 'node:crypto';
import { UUID_RULE } from '../../src/domain/ids.ts';
import { readDecisions } from '../../src/http/decisions.ts';

/** POST /decisions reads each item on its own: a broken one refuses only itself, with its own code. */

const TOKEN = 'header.payload.signature';
const approveOf = (applicationId: string, idempotencyKey: string, note?: string | null) => ({ applicationId, idempotencyKey, decision: 'APPROVE', ...(note === undefined ? {} : { note }) });
const rejectOf = (applicationId: string, idempotencyKey: string, reason: unknown) => ({ applicationId, idempotencyKey, decision: 'REJECT', reason });

test('valid items become the commands and idempotency requests the single approve and reject routes send', () => {
  const [a, b, keyA, keyB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const read = readDecisions([approveOf(a.toUpperCase(), keyA.toUpperCase()), rejectOf(b, keyB, '  서류 미비  ')], TOKEN);
  expect(read).toEqual([
    { ok: true, decision: {
      applicationId: a, idempotencyKey: keyA,
      input: { type: 'ApproveApplication', applicationId: a, adminToken: TOKEN, note: null }, request: { route: 'approve', id: a, body: { note: null } },
    } },
    { ok: true, decision: {
      applicationId: b, idempotencyKey: keyB,
      input: { type: 'RejectApplication', applicationId: b, adminToken: TOKEN, reason: '서류 미비' }, request: { route: 'reject', id: b, body: { reason: '서류 미비' } },
    } },
  ]);
});

test('a broken item is refused with its own code and fields, echoing what it gave; the others stay ready', () => {
  const id = randomUUID();
  const items = [
    approveOf('not-an-id', randomUUID()),
    rejectOf(id, randomUUID(), '   '),
    { applicationId: id, idempotencyKey: randomUUID(), decision: 'REJECT' },
    rejectOf(id, randomUUID(), 'x'.repeat(1001)),
    approveOf(id, randomUUID(), 'n'.repeat(1001)),
    { ...approveOf(id, randomUUID()), reason: 'approvals carry none' },
    { applicationId: 7, idempotencyKey: null, decision: 'MAYBE' },
    'not an object',
    approveOf(id, randomUUID(), '확인'),
  ];
  const read = readDecisions(items, TOKEN);
  const refusals = read.map((item) => (item.ok || item.result.status !== 'REFUSED' ? 'READY' : [item.result.code, item.result.errors.map((error) => error.path)]));
  expect(refusals).toEqual([
    ['VALIDATION_FAILED', ['applicationId']],
    ['REASON_REQUIRED', ['reason']],
    ['REASON_REQUIRED', ['reason']],
    ['REASON_REQUIRED', ['reason']],
    ['VALIDATION_FAILED', ['note']],
    ['VALIDATION_FAILED', ['reason']],
    ['VALIDATION_FAILED', ['decision']],
    ['VALIDATION_FAILED', ['item']],
    'READY',
  ]);
  expect(read[0]).toEqual({ ok: false, result: {
    status: 'REFUSED', applicationId: 'not-an-id', idempotencyKey: (items[0] as { idempotencyKey: string }).idempotencyKey, code: 'VALIDATION_FAILED',
    message: `applicationId: ${UUID_RULE}.`, errors: [{ path: 'applicationId', message: UUID_RULE }],
  } });
  // What was not text is not echoed.
  expect(read[6]).toMatchObject({ ok: false, result: { applicationId: null, idempotencyKey: null } });
});

test('a key an earlier item of the request holds refuses the later item (DUPLICATE_KEY), in either case', () => {
  const key = randomUUID();
  const [first, second] = [randomUUID(), randomUUID()];
  const read = readDecisions([approveOf(first, key), approveOf(second, key.toUpperCase()), approveOf('broken', key), approveOf(second, randomUUID())], TOKEN);
  expect(read.map((item) => (item.ok ? item.decision.applicationId : item.result.status === 'REFUSED' && item.result.code))).toEqual([first, 'DUPLICATE_KEY', 'VALIDATION_FAILED', second]);
  expect(read[1]).toMatchObject({ ok: false, result: { applicationId: second, idempotencyKey: key.toUpperCase(), message: expect.stringContaining(key) } });
});
