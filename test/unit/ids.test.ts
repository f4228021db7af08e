import { randomUUID } from 'node:crypto';
import { isUuid, UUID_RULE } from '../../src/domain/ids.ts';
import { submitBody } from '../../src/http/command-bodies.ts';
import { decodeTimeCursor, encodeTimeCursor } from '../../src/http/cursor.ts';
import { uuid } from '../../src/http/params.ts';
import { listingIdFor, uuidV5 } from '../../src/processors/decider/index.ts';
import { restaurantDetails } from '../fixtures/details.ts';

/** Any RFC 9562 version and the RFC variant, in either case; nothing else of the same shape. */
const TAKEN = [
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8', // v1 (the RFC's DNS namespace)
  '000003e8-7b1c-21f0-8a00-325096b39f47', // v2
  '6fa459ea-ee8a-3ca4-894e-db77e160355e', // v3
  '9b2c8c4e-1d2a-4f8e-9c3b-2a7e5d6f8a10', // v4
  '2ed6657d-e927-568b-95e1-2665a8aea6a2', // v5
  '1ef21d2f-1207-6660-8c4f-419efbd44d48', // v6
  '017f22e2-79b0-7cc3-98c4-dc0c0c07398f', // v7
  '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0', // v8
  '017F22E2-79B0-7CC3-B8C4-DC0C0C07398F', // upper case, variant b
];
const REFUSED = [
  'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa', // version a
  '00000000-0000-0000-0000-000000000000', // nil
  'ffffffff-ffff-ffff-ffff-ffffffffffff', // max
  '9b2c8c4e-1d2a-0f8e-9c3b-2a7e5d6f8a10', // version 0
  '9b2c8c4e-1d2a-9f8e-9c3b-2a7e5d6f8a10', // version 9
  '9b2c8c4e-1d2a-4f8e-7c3b-2a7e5d6f8a10', // NCS variant (0xxx)
  '9b2c8c4e-1d2a-4f8e-cc3b-2a7e5d6f8a10', // Microsoft variant (110x)
  '9b2c8c4e1d2a4f8e9c3b2a7e5d6f8a10', // no dashes
  '{9b2c8c4e-1d2a-4f8e-9c3b-2a7e5d6f8a10}', // braces
  ' 9b2c8c4e-1d2a-4f8e-9c3b-2a7e5d6f8a10', // padded
  '9b2c8c4e-1d2a-4f8e-9c3b-2a7e5d6f8a1g', // not hex
  '9b2c8c4e-1d2a-4f8e-9c3b-2a7e5d6f8a10\n', // a trailing newline
  '',
];

const body = (applicationId: string) => submitBody.safeParse({ applicationId, kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: restaurantDetails() });
const cursorWith = (id: string) => Buffer.from(JSON.stringify({ k: 't1', at: '2025-01-01T00:00:00.000000Z', id })).toString('base64url');

test.each(TAKEN)('%s is an id for the processor, the path and query parameters, the command bodies and the cursors', (id) => {
  expect(isUuid(id)).toBe(true);
  expect(uuid.safeParse(id)).toEqual({ success: true, data: id.toLowerCase() });
  expect(body(id).data?.applicationId).toBe(id.toLowerCase());
  expect(decodeTimeCursor(cursorWith(id))).toEqual({ at: '2025-01-01T00:00:00.000000Z', id: id.toLowerCase() });
});

test.each(REFUSED)('%j is refused by every one of them alike', (id) => {
  expect(isUuid(id)).toBe(false);
  const parsed = uuid.safeParse(id);
  expect(parsed.success).toBe(false);
  expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([UUID_RULE]);
  expect(body(id).error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['applicationId', UUID_RULE]]);
  expect(decodeTimeCursor(cursorWith(id))).toBeNull();
});

test('the ids this service makes follow the rule: random ones, derived listing and event ids, its own cursors', () => {
  for (let index = 0; index < 200; index++) expect(isUuid(randomUUID())).toBe(true);
  const applicationId = randomUUID();
  expect(isUuid(listingIdFor(applicationId))).toBe(true);
  expect(isUuid(uuidV5(`${applicationId}/event`, '5b0e3f0c-8c1e-4d7a-bb1b-6f2f0f4bb7d9'))).toBe(true);
  expect(decodeTimeCursor(encodeTimeCursor({ at: '2025-01-01T00:00:00.000000Z', id: applicationId }))).toEqual({ at: '2025-01-01T00:00:00.000000Z', id: applicationId });
  expect(() => uuidV5('n', 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa')).toThrow('is not a UUID');
});
