import { randomUUID } from 'node:crypto';
import { infoChangeContact, restaurantDetails } from '../fixtures/details.ts';
import { expectProblem, startSuite, walk, type Suite } from './harness.ts';
import { at, insertApplication, insertListing, type SeedApplication } from './seed.ts';

/**
 * GET /applications search: q, registrationNumber, submittedFrom/submittedTo, combined with the
 * other filters, and the total on every page. Rows are seeded straight into the read tables;
 * each test works on applicants of its own, so the seeded sets never overlap.
 */

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

/** Details with a business registration (the shape the next schema version stores: the number as digits). */
const registered = (name: string, number: string, representativeName: string) => restaurantDetails({ name, businessRegistration: { number, representativeName } });

const seed = (applicantId: string, name: string, extra: Partial<SeedApplication> = {}) =>
  insertApplication(suite.stack.db, { applicantId, details: restaurantDetails({ name }), ...extra });

const search = async (query: string, token = suite.master) => {
  const reply = await suite.api.get(`/applications?${query}`, token);
  expect(reply.status).toBe(200);
  return reply.body as { items: Array<{ id: string }>; total: number; nextCursor: string | null };
};
const idsOf = async (query: string, token?: string) => (await search(query, token)).items.map((item) => item.id).sort();
const sorted = (...rows: SeedApplication[]) => rows.map((row) => row.id).sort();
const param = encodeURIComponent;

describe('q', () => {
  test('finds a Korean substring of the business name, of two characters and of one, and nothing else', async () => {
    const applicantId = `korean-${randomUUID()}`;
    const golbaeng = await seed(applicantId, '을지로 골뱅이집');
    const other = await seed(applicantId, '성수동 카페');
    await seed(applicantId, '골목 분식');
    expect(await idsOf(`applicantId=${applicantId}&q=${param('골뱅이')}`)).toEqual(sorted(golbaeng));
    // Under three characters no trigram index can serve the query: answered by a scan, still exact.
    expect(await idsOf(`applicantId=${applicantId}&q=${param('골뱅')}`)).toEqual(sorted(golbaeng));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('카')}`)).toEqual(sorted(other));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('을지로 골뱅이집')}`)).toEqual(sorted(golbaeng));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('골뱅이탕')}`)).toEqual([]);
  });

  test('is case-insensitive, beyond ASCII too, and ignores surrounding blanks', async () => {
    const applicantId = `case-${randomUUID()}`;
    const pub = await seed(applicantId, 'Golbaeng PUB');
    const cafe = await seed(applicantId, 'CAFÉ Ölberg');
    expect(await idsOf(`applicantId=${applicantId}&q=golbaeng%20p`)).toEqual(sorted(pub));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('café ö')}`)).toEqual(sorted(cafe));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('  PUB ')}`)).toEqual(sorted(pub));
  });

  test('finds the representative\'s name, and never a match spanning the two names', async () => {
    const applicantId = `representative-${randomUUID()}`;
    const hong = await insertApplication(suite.stack.db, { applicantId, details: registered('을지로 골뱅이집', '1234567891', '홍길동') });
    const kim = await insertApplication(suite.stack.db, { applicantId, details: registered('성수동 카페', '2208162517', '김민지') });
    expect(await idsOf(`applicantId=${applicantId}&q=${param('길동')}`)).toEqual(sorted(hong));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('김민')}`)).toEqual(sorted(kim));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('집홍')}`)).toEqual([]);
    expect(await idsOf(`applicantId=${applicantId}&q=${param('집 홍')}`)).toEqual([]);
  });

  test('matches an INFO_CHANGE by its listing\'s name', async () => {
    const applicantId = `change-${randomUUID()}`;
    const listing = await insertListing(suite.stack.db, { ownerId: applicantId, name: `종로 빈대떡 ${applicantId}` });
    const change = await insertApplication(suite.stack.db, { applicantId, kind: 'INFO_CHANGE', listingId: listing.id, details: infoChangeContact() });
    const unrelated = await insertApplication(suite.stack.db, { applicantId, kind: 'INFO_CHANGE', details: infoChangeContact() });
    const named = await seed(applicantId, '빈대떡 신사');
    expect(await idsOf(`applicantId=${applicantId}&q=${param('빈대떡')}`)).toEqual(sorted(change, named));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('종로 빈대')}&kind=INFO_CHANGE`)).toEqual(sorted(change));
    expect(await idsOf(`applicantId=${applicantId}&kind=INFO_CHANGE`)).toEqual(sorted(change, unrelated));
  });

  test('takes %, _ and \\ literally', async () => {
    const applicantId = `literal-${randomUUID()}`;
    const percent = await seed(applicantId, '100% 한우');
    const thousand = await seed(applicantId, '1000 한우');
    const underscore = await seed(applicantId, 'a_b 식당');
    const axb = await seed(applicantId, 'axb 식당');
    const backslash = await seed(applicantId, 'c\\d 바');
    await seed(applicantId, 'cd 바');
    expect(await idsOf(`applicantId=${applicantId}&q=100`)).toEqual(sorted(percent, thousand));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('100%')}`)).toEqual(sorted(percent));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('%')}`)).toEqual(sorted(percent));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('a_b')}`)).toEqual(sorted(underscore));
    expect(await idsOf(`applicantId=${applicantId}&q=_`)).toEqual(sorted(underscore));
    expect(await idsOf(`applicantId=${applicantId}&q=${param('c\\d')}`)).toEqual(sorted(backslash));
    expect(await idsOf(`applicantId=${applicantId}&q=x`)).toEqual(sorted(axb));
  });

  test('blank, too long, repeated or with control characters is a 400 naming q', async () => {
    for (const bad of ['q=', 'q=%20%20', `q=${'가'.repeat(101)}`, 'q=a&q=b', 'q=a%1Fb', 'q=a%00b']) {
      const reply = await suite.api.get(`/applications?${bad}`, suite.master);
      expectProblem(reply, 400, 'invalid-request');
      expect(reply.body.detail).toMatch(/query parameter 'q'/);
    }
  });
});

describe('registrationNumber', () => {
  test('matches the stored digits, given with or without dashes, combined with other filters', async () => {
    const applicantId = `number-${randomUUID()}`;
    const pending = await insertApplication(suite.stack.db, { applicantId, details: registered('을지로 골뱅이집', '1234567891', '홍길동') });
    const approved = await insertApplication(suite.stack.db, { applicantId, status: 'APPROVED', details: registered('을지로 골뱅이집 2호점', '1234567891', '홍길동') });
    await insertApplication(suite.stack.db, { applicantId, details: registered('성수동 카페', '2208162517', '김민지') });
    await seed(applicantId, '번호 없는 집');
    expect(await idsOf(`applicantId=${applicantId}&registrationNumber=1234567891`)).toEqual(sorted(pending, approved));
    expect(await idsOf(`applicantId=${applicantId}&registrationNumber=123-45-67891`)).toEqual(sorted(pending, approved));
    expect(await idsOf(`applicantId=${applicantId}&registrationNumber=123-45-67891&status=APPROVED`)).toEqual(sorted(approved));
    expect(await idsOf(`applicantId=${applicantId}&registrationNumber=123-45-67891&q=${param('2호점')}`)).toEqual(sorted(approved));
    expect(await idsOf(`applicantId=${applicantId}&registrationNumber=1234567890`)).toEqual([]);
  });

  test('a malformed number is a 400 naming registrationNumber', async () => {
    for (const bad of ['123456789', '12345678901', '123-4567891', '12-345-67891', '123 45 67891', 'abcdefghij', '１２３４５６７８９１', '']) {
      const reply = await suite.api.get(`/applications?registrationNumber=${param(bad)}`, suite.master);
      expectProblem(reply, 400, 'invalid-request');
      expect(reply.body.detail).toMatch(/query parameter 'registrationNumber' must be 10 digits/);
    }
  });
});

describe('submittedFrom and submittedTo', () => {
  test('bound createdAt, from inclusive and to exclusive, with any offset', async () => {
    const applicantId = `range-${randomUUID()}`;
    const [early, middle, late] = [
      await seed(applicantId, '이른 집', { createdAt: at(100) }),
      await seed(applicantId, '중간 집', { createdAt: at(200) }),
      await seed(applicantId, '늦은 집', { createdAt: at(300) }),
    ];
    const query = (range: string) => idsOf(`applicantId=${applicantId}&${range}`);
    expect(await query(`submittedFrom=${param(at(200))}`)).toEqual(sorted(middle, late));
    expect(await query(`submittedTo=${param(at(200))}`)).toEqual(sorted(early));
    expect(await query(`submittedFrom=${param(at(100))}&submittedTo=${param(at(300))}`)).toEqual(sorted(early, middle));
    // 2025-03-01T00:03:20Z (at(200)) written in Korean time.
    expect(await query(`submittedFrom=${param('2025-03-01T09:03:20+09:00')}`)).toEqual(sorted(middle, late));
    expect(await query(`submittedFrom=${param(at(200))}&submittedTo=${param(at(200))}`)).toEqual([]);
    expect(await query(`submittedFrom=${param(at(0))}&q=${param('늦은')}`)).toEqual(sorted(late));
  });

  test('from after to, or a malformed instant, is a 400 naming the parameter', async () => {
    const after = await suite.api.get(`/applications?submittedFrom=${param(at(2))}&submittedTo=${param(at(1))}`, suite.master);
    expectProblem(after, 400, 'invalid-request');
    expect(after.body.detail).toBe('query parameter \'submittedFrom\' must not be after \'submittedTo\'.');
    for (const [name, bad] of [['submittedFrom', '2025-03-01'], ['submittedTo', '2025-13-01T00:00:00Z'], ['submittedFrom', 'yesterday']]) {
      const reply = await suite.api.get(`/applications?${name}=${param(bad!)}`, suite.master);
      expectProblem(reply, 400, 'invalid-request');
      expect(reply.body.detail).toMatch(new RegExp(`query parameter '${name}'`));
    }
  });
});

describe('total', () => {
  test('every page carries the number of matches of the whole query', async () => {
    const applicantId = `total-${randomUUID()}`;
    const matches: SeedApplication[] = [];
    for (let i = 0; i < 7; i++) matches.push(await seed(applicantId, `을지로 골뱅이집 ${i}호점`, { createdAt: at(i) }));
    await seed(applicantId, '성수동 카페');
    const totals: number[] = [];
    const { items, pages } = await walk(async (cursor) => {
      const reply = await suite.api.get(`/applications?applicantId=${applicantId}&q=${param('골뱅이')}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, suite.master);
      totals.push(reply.body.total as number);
      return reply;
    });
    expect(pages).toBe(3);
    expect(totals).toEqual([7, 7, 7]);
    expect(items.map((item) => item.id).sort()).toEqual(sorted(...matches));
    expect((await search(`applicantId=${applicantId}&limit=1`)).total).toBe(8);
    expect(await search(`applicantId=${applicantId}&q=${param('없는 이름')}`)).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  test('an owner\'s own application history carries it too', async () => {
    const ownerId = `history-${randomUUID()}`;
    for (let i = 0; i < 3; i++) await seed(ownerId, `가게 ${i}`);
    const reply = await suite.api.get(`/owners/${ownerId}/applications?limit=2`, suite.master);
    expect({ count: reply.body.items.length, total: reply.body.total }).toEqual({ count: 2, total: 3 });
  });
});

describe('an OWNER', () => {
  test('searches only its own applications, and its total counts only those', async () => {
    const alice = `alice-${randomUUID()}`;
    const bob = `bob-${randomUUID()}`;
    const name = `을지로 골뱅이집 ${randomUUID()}`;
    const mine = await insertApplication(suite.stack.db, { applicantId: alice, details: registered(name, '1234567891', '홍길동') });
    await insertApplication(suite.stack.db, { applicantId: bob, details: registered(name, '1234567891', '홍길동') });
    await insertApplication(suite.stack.db, { applicantId: bob, details: registered(name, '1234567891', '홍길동') });
    const token = await suite.ownerToken(alice);
    const byName = await search(`q=${param(name)}`, token);
    expect({ ids: byName.items.map((item) => item.id), total: byName.total }).toEqual({ ids: [mine.id], total: 1 });
    const byNumber = await search(`registrationNumber=1234567891&q=${param(name.slice(-12))}`, token);
    expect({ ids: byNumber.items.map((item) => item.id), total: byNumber.total }).toEqual({ ids: [mine.id], total: 1 });
    expect((await search(`q=${param(name)}`)).total).toBe(3);
    expectProblem(await suite.api.get(`/applications?applicantId=${bob}&q=${param(name)}`, token), 403, 'forbidden');
  });
});

describe('GET /applications.csv', () => {
  test('exports what the same search finds, and refuses what the search refuses', async () => {
    const applicantId = `export-${randomUUID()}`;
    const golbaeng = await seed(applicantId, '을지로 골뱅이집', { createdAt: at(10) });
    const early = await seed(applicantId, '골뱅이 포차', { createdAt: at(1) });
    const cafe = await seed(applicantId, '성수동 카페', { createdAt: at(20) });
    const reply = await suite.api.get(`/applications.csv?applicantId=${applicantId}&q=${param('골뱅이')}&submittedFrom=${param(at(5))}`, suite.master);
    expect(reply.status).toBe(200);
    const exported = [golbaeng, early, cafe].filter((row) => (reply.body as string).includes(row.id)).map((row) => row.id);
    expect(exported).toEqual([golbaeng.id]);
    expectProblem(await suite.api.get(`/applications.csv?submittedFrom=${param(at(2))}&submittedTo=${param(at(1))}`, suite.master), 400, 'invalid-request');
    expectProblem(await suite.api.get('/applications.csv?registrationNumber=12-34', suite.master), 400, 'invalid-request');
  });
});
