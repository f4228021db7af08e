import { createHash } from 'node:crypto';
import { createPool, type DatabasePool, type Interceptor, type Query } from 'slonik';
import { infoChangeContact, restaurantDetails } from '../fixtures/details.ts';
import { listApplications, type ApplicationFilter } from '../../src/store/read/applications.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

/**
 * The search's queries over 100,000 applications, as the store runs them (captured from the
 * pool, not restated), read back with EXPLAIN: q and registrationNumber are served by their
 * indexes (src/store/migrations/1795920000000_application-search.sql), and what no index can
 * serve (q under three characters) is still answered exactly.
 */

const ROWS = 100_000;
// About one listing per approved application, as in a running service.
const LISTINGS = 25_000;
let stack: TestStack;
let pool: DatabasePool;
const captured: Query[] = [];
const capture: Interceptor = { name: 'capture', beforeQueryExecution: (_context, query) => { captured.push(query); return null; } };

beforeAll(async () => {
  stack = await startTestStack();
  const db = stack.db;
  // Most names are unique noise; every 10,000th is a 골뱅이집, every 25,000th representative 홍길동.
  await db.query(`
    INSERT INTO applications (id, applicant_id, kind, content_type, status, details, version, created_at, updated_at)
    SELECT gen_random_uuid(), 'owner-' || (i % 500), 'NEW_LISTING', 'RESTAURANT', (ARRAY['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN'])[1 + i % 4],
      $1::jsonb || jsonb_build_object(
        'name', CASE WHEN i % 10000 = 0 THEN '을지로 골뱅이집 ' || i ELSE '상점 ' || md5(i::text) END,
        'businessRegistration', jsonb_build_object(
          'number', lpad(i::text, 10, '0'),
          'representativeName', CASE WHEN i % 25000 = 1 THEN '홍길동' ELSE '대표 ' || md5((-i)::text) END)),
      1, timestamptz '2025-01-01' + i * interval '1 minute', timestamptz '2025-01-01' + i * interval '1 minute'
    FROM generate_series(1, ${ROWS}) AS i`, [JSON.stringify(restaurantDetails())]);
  await db.query(`
    INSERT INTO listings (id, owner_id, content_type, name, description, contact, address, business_hours, specific, source_application_id, version, created_at, updated_at)
    SELECT gen_random_uuid(), 'owner-' || (i % 500), 'RESTAURANT', CASE WHEN i = 7 THEN '종로 빈대떡집' ELSE '리스팅 ' || md5(i::text) END, '',
      '{}', '{}', '[]', '{}', gen_random_uuid(), 1, timestamptz '2025-01-01', timestamptz '2025-01-01'
    FROM generate_series(1, ${LISTINGS}) AS i`);
  await db.query(`
    INSERT INTO applications (id, applicant_id, kind, listing_id, content_type, status, details, version, created_at, updated_at)
    SELECT gen_random_uuid(), l.owner_id, 'INFO_CHANGE', l.id, 'RESTAURANT', 'APPROVED', $1::jsonb, 1,
      timestamptz '2025-06-01' + row_number() OVER () * interval '1 minute', timestamptz '2025-06-01'
    FROM listings l`, [JSON.stringify(infoChangeContact())]);
  await db.query('VACUUM ANALYZE applications, listings');
  pool = await createPool(stack.config.DATABASE_URL, { interceptors: [capture] });
}, 300_000);

afterAll(async () => {
  await pool?.end();
  await stack?.stop();
});

/** Runs the search as the route does, and EXPLAINs each statement it sent (the page and the count). */
async function searchAndExplain(filter: ApplicationFilter) {
  captured.length = 0;
  const page = await listApplications(pool, filter, { limit: 20, after: null });
  const plans = await Promise.all(captured.map(async (query) => {
    const result = await stack.db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.values]);
    return nodesOf(result.rows[0]!['QUERY PLAN'][0]!.Plan);
  }));
  expect(plans).toHaveLength(2);
  return { page, plans };
}
interface PlanNode { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; Plans?: PlanNode[] }
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
const indexesIn = (plan: PlanNode[]) => [...new Set(plan.flatMap((node) => node['Index Name'] ?? []))];
const seqScansOf = (plan: PlanNode[]) => plan.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name']);
// The name the page's own statement joined in (a NEW_LISTING's proposed name here).
const names = (items: Array<{ name: string | null }>) => items.map((item) => item.name);

test('the database\'s locale makes trigrams of Korean text', async () => {
  const result = await stack.db.query<{ n: number }>(`SELECT cardinality(show_trgm('을지로 골뱅이집')) AS n`);
  // "  을", " 을지", "을지로", "지로 ", and five of 골뱅이집: as many as a Latin text of the same shape.
  expect(result.rows[0]!.n).toBe(9);
});

test('q of three or more characters is served by the trigram indexes, page and total', async () => {
  const { page, plans } = await searchAndExplain({ q: '골뱅이' });
  expect(page.total).toBe(ROWS / 10_000);
  expect(names(page.items).every((name) => name?.includes('골뱅이'))).toBe(true);
  for (const plan of plans) {
    expect(indexesIn(plan)).toEqual(expect.arrayContaining(['applications_search_text', 'listings_search_name']));
    expect(seqScansOf(plan)).toEqual([]);
  }
});

test('q finds the representative\'s name and an INFO_CHANGE by its listing\'s name, through the same indexes', async () => {
  const representative = await searchAndExplain({ q: '홍길동' });
  expect(representative.page.total).toBe(ROWS / 25_000);
  const listing = await searchAndExplain({ q: '빈대떡', kind: 'INFO_CHANGE' });
  expect(listing.page.total).toBe(1);
  for (const plan of [...representative.plans, ...listing.plans]) expect(seqScansOf(plan)).toEqual([]);
});

test('registrationNumber is served by its index, alone and with q', async () => {
  const alone = await searchAndExplain({ registrationNumber: '0000012345' });
  expect(names(alone.page.items)).toEqual([`상점 ${createHash('md5').update('12345').digest('hex')}`]);
  expect(alone.page.total).toBe(1);
  for (const plan of alone.plans) {
    expect(indexesIn(plan)).toContain('applications_by_registration_number');
    expect(seqScansOf(plan)).toEqual([]);
  }
  const combined = await searchAndExplain({ registrationNumber: '0000020000', q: '골뱅이' });
  expect(names(combined.page.items)).toEqual(['을지로 골뱅이집 20000']);
  for (const plan of combined.plans) expect(seqScansOf(plan)).toEqual([]);
});

test('q under three characters has no trigram to look up: a scan answers it, exactly', async () => {
  const two = await searchAndExplain({ q: '골뱅' });
  expect(two.page.total).toBe(ROWS / 10_000);
  expect(names(two.page.items).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `을지로 골뱅이집 ${(i + 1) * 10_000}`).sort());
  const withStatus = await searchAndExplain({ q: '골뱅', status: 'PENDING' });
  expect(withStatus.page.total).toBe(ROWS / 10_000);
});
