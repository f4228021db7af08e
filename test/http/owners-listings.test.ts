import { randomUUID } from 'node:crypto';
import { contact, infoChangeContact } from '../fixtures/details.ts';
import { expectProblem, startSuite, walk, type Suite } from './harness.ts';
import { at, insertApplication, insertListing, type SeedListing } from './seed.ts';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

const ids = (items: Array<Record<string, unknown>>) => items.map((item) => item.id);
/** A page URL builder for walk(): adds limit and, after the first page, the cursor. */
const pageUrl = (path: string, limit: number) => (cursor: string | null) =>
  `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;

/** The seeded rows are as written before schema v2: they are read with v2's defaults for what v2 added. */
const V2_DEFAULTS = {
  RESTAURANT: { restaurantType: null, ageRating: null },
  PERFORMANCE: { performanceType: null, cast: [], ticketWindow: null },
  EXHIBITION: { region: null, artists: [], dailyHours: null, ticketWindow: null, ageRating: null },
} as const;

const listingJson = (l: SeedListing) => ({
  id: l.id, ownerId: l.ownerId, contentType: l.contentType, name: l.name, description: l.description, contact: l.contact, address: l.address,
  businessHours: l.businessHours, specific: { ...V2_DEFAULTS[l.contentType], ...l.specific }, businessRegistration: null,
  sourceApplicationId: l.sourceApplicationId, version: l.version, createdAt: l.createdAt, updatedAt: l.updatedAt,
});

describe('GET /owners/:ownerId/applications', () => {
  test('lists that owner\'s applications newest first across pages, for MASTER and for the owner', async () => {
    const owner = `owner-${randomUUID()}`;
    const other = `owner-${randomUUID()}`;
    const mine = [];
    for (let i = 0; i < 9; i++) {
      mine.push(await insertApplication(suite.stack.db, { applicantId: owner, status: i % 3 === 0 ? 'APPROVED' : 'PENDING', createdAt: at(i) }));
      await insertApplication(suite.stack.db, { applicantId: other, createdAt: at(i) });
    }
    const expected = mine.map((row) => row.id).reverse();
    const url = pageUrl(`/owners/${owner}/applications`, 4);
    const asMaster = await walk((cursor) => suite.api.get(url(cursor), suite.master));
    expect(ids(asMaster.items)).toEqual(expected);
    expect(asMaster.pages).toBe(3);
    const token = await suite.ownerToken(owner);
    const asOwner = await walk((cursor) => suite.api.get(url(cursor), token));
    expect(ids(asOwner.items)).toEqual(expected);
    expect(asOwner.items.every((item) => item.applicantId === owner)).toBe(true);

    const approved = await suite.api.get(`/owners/${owner}/applications?status=APPROVED`, token);
    expect(ids(approved.body.items)).toEqual([mine[6]!.id, mine[3]!.id, mine[0]!.id]);
    // applicantId is not a filter here: the path names the owner, another applicantId changes nothing.
    const ignored = await suite.api.get(`/owners/${owner}/applications?applicantId=${other}&limit=100`, suite.master);
    expect(ids(ignored.body.items)).toEqual(expected);
  });

  test('rows inserted mid-walk appear once and in place, or not at all', async () => {
    const owner = `owner-${randomUUID()}`;
    const rows = [];
    for (let i = 0; i < 6; i++) rows.push(await insertApplication(suite.stack.db, { applicantId: owner, createdAt: at(100 + 10 * i) }));
    let late: string | undefined;
    const { items } = await walk((cursor) => suite.api.get(pageUrl(`/owners/${owner}/applications`, 2)(cursor), suite.master), async (index) => {
      if (index !== 0) return;
      await insertApplication(suite.stack.db, { applicantId: owner, createdAt: at(999) }); // newer than the walk: not part of it
      late = (await insertApplication(suite.stack.db, { applicantId: owner, createdAt: at(115) })).id; // between rows 2 and 1
    });
    expect(ids(items)).toEqual([rows[5]!.id, rows[4]!.id, rows[3]!.id, rows[2]!.id, late, rows[1]!.id, rows[0]!.id]);
  });

  test('another owner is refused with 403 whether or not the owner has applications', async () => {
    const owner = `owner-${randomUUID()}`;
    await insertApplication(suite.stack.db, { applicantId: owner });
    const intruder = await suite.ownerToken(`intruder-${randomUUID()}`);
    expectProblem(await suite.api.get(`/owners/${owner}/applications`, intruder), 403, 'forbidden');
    expectProblem(await suite.api.get(`/owners/${randomUUID()}/applications`, intruder), 403, 'forbidden');
    // MASTER may look at an owner without applications: an empty page.
    expect((await suite.api.get(`/owners/${randomUUID()}/applications`, suite.master)).body).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  test.each([
    ['?status=NOPE', 'status'], ['?limit=1000', 'limit'], ['?cursor=%%%', 'cursor'], ['?kind=NEW_LISTING&kind=INFO_CHANGE', 'kind'],
  ])('bad query %s is a 400 problem', async (query, parameter) => {
    const reply = await suite.api.get(`/owners/owner-1/applications${query}`, suite.master);
    expectProblem(reply, 400, 'invalid-request');
    expect(reply.body.detail).toContain(`'${parameter}'`);
  });

  test.each([
    ['a NUL byte', '%00'], ['a newline', 'a%0Ab'], ['201 characters', 'o'.repeat(201)], ['broken percent-encoding', '%E0%A4%A'],
  ])('an owner id with %s is a 400 problem', async (_what, ownerId) => {
    expectProblem(await suite.api.get(`/owners/${ownerId}/applications`, suite.master), 400, 'invalid-request');
    expectProblem(await suite.api.get(`/owners/${ownerId}/listings`, suite.master), 400, 'invalid-request');
  });

  test('owner ids with spaces and non-ASCII characters round-trip', async () => {
    const owner = `사장님 ${randomUUID()}`;
    const app = await insertApplication(suite.stack.db, { applicantId: owner });
    const reply = await suite.api.get(`/owners/${encodeURIComponent(owner)}/applications`, await suite.ownerToken(owner));
    expect(reply.status).toBe(200);
    expect(ids(reply.body.items)).toEqual([app.id]);
  });
});

describe('GET /owners/:ownerId/listings', () => {
  test('lists that owner\'s listings with current contact, address and hours, paginated', async () => {
    const owner = `owner-${randomUUID()}`;
    const listings: SeedListing[] = [];
    for (let i = 0; i < 5; i++) {
      listings.push(await insertListing(suite.stack.db, {
        ownerId: owner, createdAt: at(i), updatedAt: at(100 + i), version: 1 + i, name: `가게 ${i}`, contact: contact({ phone: `02-000-000${i}` }),
      }));
      await insertListing(suite.stack.db, { ownerId: `someone-else-${randomUUID()}`, createdAt: at(i) });
    }
    const expected = [...listings].reverse().map(listingJson);
    const first = await suite.api.get(`/owners/${owner}/listings?limit=2`, suite.master);
    expect(first.body.items).toEqual(expected.slice(0, 2));
    const token = await suite.ownerToken(owner);
    const all = await walk((cursor) => suite.api.get(pageUrl(`/owners/${owner}/listings`, 2)(cursor), token));
    expect(all.items).toEqual(expected);
    expect(all.pages).toBe(3);
  });

  test('another owner gets 403; an owner without listings an empty page', async () => {
    const owner = `owner-${randomUUID()}`;
    await insertListing(suite.stack.db, { ownerId: owner });
    expectProblem(await suite.api.get(`/owners/${owner}/listings`, await suite.ownerToken('owner-z')), 403, 'forbidden');
    const empty = `owner-${randomUUID()}`;
    expect((await suite.api.get(`/owners/${empty}/listings`, await suite.ownerToken(empty))).body).toEqual({ items: [], nextCursor: null });
  });

  test('a bad cursor or limit is a 400 problem', async () => {
    expectProblem(await suite.api.get('/owners/owner-1/listings?limit=0', suite.master), 400, 'invalid-request');
    expectProblem(await suite.api.get('/owners/owner-1/listings?cursor=abc', suite.master), 400, 'invalid-request');
  });
});

describe('GET /listings/:id', () => {
  test('returns one listing to MASTER and to its owner', async () => {
    const listing = await insertListing(suite.stack.db, {
      ownerId: 'listing-owner', contentType: 'PERFORMANCE', name: '뮤지컬 영웅',
      specific: { type: 'PERFORMANCE', venue: '블루스퀘어', startDate: '2025-03-01', endDate: '2025-05-31', runtimeMinutes: 160, ageRating: 'AGE_12' },
      contact: infoChangeContact().contact!, version: 2, createdAt: at(1), updatedAt: at(50),
    });
    const reply = await suite.api.get(`/listings/${listing.id}`, suite.master);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(listingJson(listing));
    expect((await suite.api.get(`/listings/${listing.id}`, await suite.ownerToken('listing-owner'))).body).toEqual(listingJson(listing));
  });

  test('another owner gets 403, an unknown id 404, a malformed id 400', async () => {
    const listing = await insertListing(suite.stack.db, { ownerId: 'listing-owner-2' });
    const foreign = await suite.api.get(`/listings/${listing.id}`, await suite.ownerToken('listing-owner-3'));
    expectProblem(foreign, 403, 'forbidden');
    expect(JSON.stringify(foreign.body)).not.toContain('listing-owner-2');
    expectProblem(await suite.api.get(`/listings/${randomUUID()}`, suite.master), 404, 'not-found');
    expectProblem(await suite.api.get(`/listings/${randomUUID()}`, await suite.ownerToken('listing-owner-3')), 404, 'not-found');
    expectProblem(await suite.api.get('/listings/12345', suite.master), 400, 'invalid-request');
    expectProblem(await suite.api.get('/listings/%27%20OR%201=1', suite.master), 400, 'invalid-request');
  });
});
