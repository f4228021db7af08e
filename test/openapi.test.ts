import { randomUUID } from 'node:crypto';
import AjvModule from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import type express from 'express';
import { pino } from 'pino';
import { createTokenVerifier } from '../src/auth/tokens.ts';
import type { CommandSender } from '../src/client/command-sender.ts';
import { createHttpApp } from '../src/http/app.ts';
import { openApiDocument } from '../src/http/openapi.ts';
import { createMetrics } from '../src/metrics.ts';
import { connectDatabase, type Database } from '../src/store/db.ts';
import { detailsFor, infoChangeContact } from './fixtures/details.ts';
import { serve, type Api, type Reply } from './http/harness.ts';
import type { LiveFeed } from '../src/http/live-feed.ts';
import { approve, forCommand, payloadOf, reject, submitNew, withdraw } from './support/commands.ts';
import { startPipeline, type Pipeline } from './support/pipeline.ts';
import { startTestStack, type TestStack } from './support/stack.ts';

/**
 * The OpenAPI description against the app itself: every express route is described (and nothing
 * else is), the document is valid OpenAPI 3.1, and real responses of a running service, over data
 * the processor wrote from real commands, validate against the documented schemas. Every status
 * code the document names for an operation is produced at least once.
 */

// ajv and ajv-formats are CommonJS: under NodeNext the class is the default export's `default`.
const Ajv2020 = AjvModule.default;
const addFormats = addFormatsModule.default;

type Doc = ReturnType<typeof openApiDocument>;
type Operation = { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }> };

/** Every (method, path) the app routes, read from express's own router, as OpenAPI paths (`:id` -> `{id}`). */
function expressRoutes(app: express.Express): string[] {
  const found: string[] = [];
  const walk = (stack: unknown[], prefix: string) => {
    for (const layer of stack as Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] }; slash?: boolean; rawPath?: string }>) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          found.push(`${method.toUpperCase()} ${`${prefix}${layer.route.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, layer.slash ? prefix : `${prefix}${layer.rawPath ?? ''}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack, '');
  return found.sort();
}

const documentedRoutes = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)).sort();

let stack: TestStack;
let pipeline: Pipeline;
let db: Database;
let notReady: Api;
let doc: Doc;
let resolved: Doc;
let master: string;
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
const compiled = new Map<object, ReturnType<typeof ajv.compile>>();
/** "GET /path-template status" of every response validated. */
const exercised = new Set<string>();

beforeAll(async () => {
  stack = await startTestStack();
  pipeline = await startPipeline(stack);
  master = await stack.token('MASTER', 'admin-openapi');
  db = await connectDatabase(stack.config.DATABASE_URL, 2);
  const verifier = createTokenVerifier({ publicKeyPem: stack.keys.publicKeyPem, issuer: stack.config.AUTH_ISSUER, audience: stack.config.AUTH_AUDIENCE });
  // A second app over the same database whose readiness says no, for the 503 of /readyz.
  notReady = await serve({
    db, verifier, metrics: createMetrics(), logger: pino({ level: 'silent' }),
    readiness: async () => ({ ready: false, checks: { database: true, brokerAnswering: true, consumerJoined: false, stalledStep: 'none' } }),
  });
  doc = openApiDocument();
  const validator = new Validator();
  // The validator resolves references in place: give it a copy of its own.
  const verdict = await validator.validate(openApiDocument() as unknown as Parameters<Validator['validate']>[0]);
  if (!verdict.valid) throw new Error(`not a valid OpenAPI document: ${JSON.stringify(verdict.errors, null, 2)}`);
  resolved = validator.resolveRefs() as Doc;
});

afterAll(async () => {
  try {
    await notReady?.close();
    await db?.end();
    await pipeline?.stop();
  } finally {
    await stack?.stop();
  }
});

/** The path template of the document that `path` (no query) matches. */
function templateOf(path: string): string {
  const candidates = Object.keys(resolved.paths).filter((template) =>
    new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  // A literal segment beats a parameter (`/applications/{id}` vs `/applications/{id}/actions` never collide, but be exact).
  expect(candidates).toHaveLength(1);
  return candidates[0]!;
}

/** Asserts that `reply` is what the document promises for GET `url`, and records it as exercised. */
function expectDocumented(url: string, reply: Reply): void {
  const template = templateOf(url.split('?')[0]!);
  const operation = (resolved.paths as unknown as Record<string, { get: Operation }>)[template]!.get;
  const response = operation.responses[String(reply.status)];
  if (response === undefined) throw new Error(`GET ${url} answered ${reply.status}, which the document does not list for ${template}`);
  const mediaType = reply.contentType.split(';')[0]!.trim();
  const content = response.content?.[mediaType];
  if (content === undefined) throw new Error(`GET ${url} answered ${reply.status} as ${mediaType}; documented: ${Object.keys(response.content ?? {}).join(', ')}`);
  let validate = compiled.get(content.schema);
  if (!validate) {
    validate = ajv.compile(content.schema);
    compiled.set(content.schema, validate);
  }
  if (!validate(reply.body)) {
    throw new Error(`GET ${url} (${reply.status}) does not match the schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(reply.body, null, 2).slice(0, 3000)}`);
  }
  exercised.add(`GET ${template} ${reply.status}`);
}

async function get(url: string, token?: string | null, expectedStatus?: number): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}${url}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const reply: Reply = { status: response.status, headers: response.headers, contentType, body: /json/.test(contentType) && text !== '' ? JSON.parse(text) : text };
  // eslint-disable-next-line honesty/guarded-expect -- the caller names the status it expects or leaves it to the document, which expectDocumented checks on every reply
  if (expectedStatus !== undefined) expect({ url, status: reply.status }).toEqual({ url, status: expectedStatus });
  expectDocumented(url, reply);
  return reply;
}

test('the document is valid OpenAPI 3.1 and describes exactly the routes the app serves', () => {
  expect(doc.openapi).toBe('3.1.0');
  const app = createHttpApp({
    db: {} as Database, sender: {} as CommandSender, verifier: createTokenVerifier({ publicKeyPem: stack.keys.publicKeyPem, issuer: 'x', audience: 'y' }),
    metrics: createMetrics(), logger: pino({ level: 'silent' }), readiness: async () => ({ ready: true, checks: {} }), reviewDeadlineHours: 48, live: {} as LiveFeed,
  });
  const routes = expressRoutes(app);
  expect(routes.length).toBeGreaterThanOrEqual(13);
  expect(routes).toContain('GET /applications/{id}/actions');
  expect(documentedRoutes(doc)).toEqual(routes);
});

test('GET /openapi.json serves the document and /docs is a page whose assets are served locally', async () => {
  const served = await get('/openapi.json', null, 200);
  expect(served.body).toEqual(JSON.parse(JSON.stringify(doc)));

  const page = await get('/docs', null, 200);
  expect(page.contentType).toMatch(/^text\/html/);
  const html = page.body as string;
  // Works offline: nothing is loaded from another origin.
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  expect(assets).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']));
  expect(html).toContain("url: '/openapi.json'");
  for (const asset of assets) {
    const response = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}${asset}`);
    expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(100);
  }
  const bundle = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}/docs/assets/swagger-ui-bundle.js`);
  expect(bundle.headers.get('content-type')).toMatch(/javascript/);
  // Only the page's own assets: the package's demo page (which points at a public petstore) is not served.
  expect((await fetch(`http://127.0.0.1:${pipeline.service.httpPort}/docs/assets/index.html`)).status).toBe(404);
});

test('GET /console is the console page, with its bundle served locally and no development sign-in on a configured key', async () => {
  const page = await get('/console', null, 200);
  const html = page.body as string;
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  expect(html).toContain('data-dev-sign-in="false"');
  expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
  for (const asset of ['/console/assets/app.js', '/console/assets/app.css']) {
    const response = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}${asset}`);
    expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
  }
  // The service was given its key (AUTH_PUBLIC_KEY), as in production: nobody is signed in by it.
  const minted = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}/console/dev-token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'MASTER', subject: 'me' }),
  });
  expect(minted.status).toBe(404);
});

test('real responses over data the processor wrote validate against the document, for every documented status', async () => {
  const ownerA = `owner-a-${randomUUID()}`;
  const ownerB = `owner-b-${randomUUID()}`;
  const ownerAToken = await stack.token('OWNER', ownerA);
  const ownerBToken = await stack.token('OWNER', ownerB);
  const outcome = async (commandId: string) => payloadOf((await pipeline.reader.waitFor(forCommand(pipeline.topics.events, commandId)))[0]!);

  // Real commands through Kafka: a listing published, a rejection, a withdrawal, an amendment, a
  // refused decision (DENIED), an INFO_CHANGE on the new listing, and a command on nothing.
  const [restaurant, performance, exhibition, amended] = await pipeline.sender.send([
    submitNew(ownerA, 'RESTAURANT'), submitNew(ownerA, 'PERFORMANCE'), submitNew(ownerB, 'EXHIBITION'), submitNew(ownerB, 'EXHIBITION'),
  ]);
  for (const command of [restaurant, performance, exhibition, amended]) expect((await outcome(command!.commandId)).type).toBe('ApplicationSubmitted');
  const [approved, rejected, withdrawn, amend, denied, ghost] = await pipeline.sender.send([
    approve(restaurant!.applicationId, master, '확인 완료'),
    reject(performance!.applicationId, master, '공연 일정이 맞지 않습니다'),
    withdraw(exhibition!.applicationId, ownerB),
    { type: 'AmendApplication', applicationId: amended!.applicationId, applicantId: ownerB, details: detailsFor('EXHIBITION') },
    approve(amended!.applicationId, ownerBToken),
    approve(randomUUID(), master),
  ]);
  const approvedEvent = await outcome(approved!.commandId);
  expect(approvedEvent.type).toBe('ApplicationApproved');
  expect((await outcome(rejected!.commandId)).type).toBe('ApplicationRejected');
  expect((await outcome(withdrawn!.commandId)).type).toBe('ApplicationWithdrawn');
  expect((await outcome(amend!.commandId)).type).toBe('ApplicationAmended');
  expect(await outcome(denied!.commandId)).toMatchObject({ type: 'CommandRejected', body: { code: 'FORBIDDEN' } });
  expect(await outcome(ghost!.commandId)).toMatchObject({ type: 'CommandRejected', body: { code: 'NOT_FOUND' } });
  const listingId = approvedEvent.body.listingId as string;
  const [change] = await pipeline.sender.send([{
    type: 'SubmitApplication', applicationId: randomUUID(), applicantId: ownerA, kind: 'INFO_CHANGE', listingId, contentType: 'RESTAURANT', details: infoChangeContact(),
  }]);
  expect((await outcome(change!.commandId)).type).toBe('ApplicationSubmitted');
  const [secondListing] = await pipeline.sender.send([submitNew(ownerA, 'PERFORMANCE')]);
  await outcome(secondListing!.commandId);
  const [secondApproval] = await pipeline.sender.send([approve(secondListing!.applicationId, master)]);
  await outcome(secondApproval!.commandId);

  const missing = randomUUID();
  // /applications
  const firstPage = await get('/applications?limit=2', master, 200);
  expect(firstPage.body.nextCursor).toEqual(expect.any(String));
  await get(`/applications?limit=2&cursor=${firstPage.body.nextCursor}`, master, 200);
  const all = await get('/applications?limit=100', master, 200);
  expect(all.body.items.map((a: { kind: string }) => a.kind)).toEqual(expect.arrayContaining(['NEW_LISTING', 'INFO_CHANGE']));
  expect(new Set(all.body.items.map((a: { status: string }) => a.status))).toEqual(new Set(['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN']));
  await get('/applications?status=PENDING&contentType=EXHIBITION&kind=NEW_LISTING', master, 200);
  await get('/applications', ownerAToken, 200);
  await get('/applications?status=SOMETIMES', master, 400);
  await get('/applications', null, 401);
  await get('/applications', 'not-a-jwt', 401);
  await get(`/applications?applicantId=${ownerB}`, ownerAToken, 403);

  // /applications/{id}: every kind of history the processor writes
  for (const command of [restaurant, performance, exhibition, amended, change]) {
    const reply = await get(`/applications/${command!.applicationId}`, master, 200);
    expect(reply.body.history.length).toBeGreaterThanOrEqual(1);
  }
  const amendedReply = await get(`/applications/${amended!.applicationId}`, ownerBToken, 200);
  expect(amendedReply.body.history.map((e: { type: string }) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationAmended', 'CommandRejected']);
  await get('/applications/not-a-uuid', master, 400);
  await get(`/applications/${missing}`, master, 404);
  await get(`/applications/${restaurant!.applicationId}`, ownerBToken, 403);
  await get(`/applications/${restaurant!.applicationId}`, null, 401);

  // /applications/{id}/actions: APPROVE, REJECT and DENIED rows
  for (const command of [restaurant, performance, amended]) {
    const reply = await get(`/applications/${command!.applicationId}/actions`, master, 200);
    expect(reply.body.items).toHaveLength(1);
  }
  await get('/applications/nope/actions', master, 400);
  await get(`/applications/${missing}/actions`, master, 404);
  await get(`/applications/${restaurant!.applicationId}/actions`, ownerBToken, 403);
  await get(`/applications/${restaurant!.applicationId}/actions`, null, 401);

  // /owners/{ownerId}/applications and /listings
  const history = await get(`/owners/${ownerA}/applications`, ownerAToken, 200);
  expect(history.body.items).toHaveLength(4);
  await get(`/owners/${ownerA}/applications?limit=1&status=APPROVED`, master, 200);
  await get(`/owners/${ownerA}/applications?limit=0`, master, 400);
  await get(`/owners/${ownerA}/applications`, ownerBToken, 403);
  await get(`/owners/${ownerA}/applications`, null, 401);
  const listings = await get(`/owners/${ownerA}/listings`, ownerAToken, 200);
  expect(listings.body.items.map((l: { specific: { type: string } }) => l.specific.type).sort()).toEqual(['PERFORMANCE', 'RESTAURANT']);
  const listingPage = await get(`/owners/${ownerA}/listings?limit=1`, master, 200);
  await get(`/owners/${ownerA}/listings?limit=1&cursor=${listingPage.body.nextCursor}`, master, 200);
  await get(`/owners/${ownerA}/listings?cursor=garbage`, master, 400);
  await get(`/owners/${ownerA}/listings`, ownerBToken, 403);
  await get(`/owners/${ownerA}/listings`, null, 401);

  // /listings/{id}
  await get(`/listings/${listingId}`, ownerAToken, 200);
  await get('/listings/123', master, 400);
  await get(`/listings/${missing}`, master, 404);
  await get(`/listings/${listingId}`, ownerBToken, 403);
  await get(`/listings/${listingId}`, null, 401);

  // /admin-actions and /stats (MASTER only)
  const actions = await get('/admin-actions?limit=2', master, 200);
  expect(actions.body.items).toHaveLength(2);
  const rest = await get(`/admin-actions?limit=2&cursor=${actions.body.nextCursor}`, master, 200);
  // Decisions on different partitions are written in no fixed order; all of them are there.
  expect([...actions.body.items, ...rest.body.items].map((a: { action: string }) => a.action).sort()).toEqual(['APPROVE', 'APPROVE', 'DENIED', 'REJECT']);
  expect(rest.body.nextCursor).toBeNull();
  await get('/admin-actions?action=DENIED&from=2020-01-01T00:00:00Z&to=2999-01-01T00:00:00Z', master, 200);
  await get(`/admin-actions?applicationId=${restaurant!.applicationId}&adminId=admin-openapi`, master, 200);
  await get('/admin-actions?action=MAYBE', master, 400);
  await get('/admin-actions', ownerAToken, 403);
  await get('/admin-actions', null, 401);
  // The exports: the same filters and access rules; a CSV body is text, which the document says.
  const actionsCsv = await get('/admin-actions.csv?action=APPROVE', master, 200);
  expect((actionsCsv.body as string).trim().split('\n')).toHaveLength(3);
  await get('/admin-actions.csv?from=2999-01-01T00:00:00Z&to=2020-01-01T00:00:00Z', master, 400);
  await get('/admin-actions.csv', ownerAToken, 403);
  await get('/admin-actions.csv', null, 401);
  const applicationsCsv = await get('/applications.csv', ownerAToken, 200);
  expect((applicationsCsv.body as string).split('\n')[0]).toMatch(/^id,submittedAt,status,/);
  await get('/applications.csv?kind=SOMETIMES', master, 400);
  await get(`/applications.csv?applicantId=${ownerB}`, ownerAToken, 403);
  await get('/applications.csv', null, 401);
  // The live stream never ends: its 200 is checked on the headers, then the connection is dropped.
  const stream = new AbortController();
  const live = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}/events`, { headers: { authorization: `Bearer ${ownerAToken}` }, signal: stream.signal });
  expectDocumented('/events', { status: live.status, headers: live.headers, contentType: live.headers.get('content-type') ?? '', body: '' });
  stream.abort();
  await get('/events?lastEventId=yesterday', master, 400);
  await get('/events', null, 401);
  const stats = await get('/stats', master, 200);
  expect(stats.body.byStatus).toMatchObject({ APPROVED: 2, REJECTED: 1, WITHDRAWN: 1 });
  await get('/stats', ownerAToken, 403);
  await get('/stats', null, 401);

  // The reviewers' own work, after the audit checks above: a review claim and a note in the history a MASTER reads, and the notes.
  const [claimed, noted] = await pipeline.sender.send([
    { type: 'ClaimReview', applicationId: change!.applicationId, adminToken: master, takeOver: false },
    { type: 'AddReviewerNote', applicationId: change!.applicationId, adminToken: master, text: '대표자 통화 필요' },
  ]);
  expect((await outcome(claimed!.commandId)).type).toBe('ReviewClaimed');
  expect((await outcome(noted!.commandId)).type).toBe('ReviewerNoteAdded');
  const reviewed = await get(`/applications/${change!.applicationId}`, master, 200);
  expect(reviewed.body.reviewClaim).toMatchObject({ adminId: 'admin-openapi' });
  expect(reviewed.body.history.map((e: { type: string }) => e.type)).toEqual(['ApplicationSubmitted', 'ReviewClaimed', 'ReviewerNoteAdded']);
  expect((await get(`/applications/${change!.applicationId}/notes`, master, 200)).body.items).toHaveLength(1);
  await get('/applications/nope/notes', master, 400);
  await get(`/applications/${missing}/notes`, master, 404);
  await get(`/applications/${change!.applicationId}/notes`, ownerAToken, 403);
  await get(`/applications/${change!.applicationId}/notes`, null, 401);

  // /commands/{commandId}: what the processor recorded for a command, whoever sent it
  const status = await get(`/commands/${approved!.commandId}`, master, 200);
  expect(status.body).toMatchObject({ status: 'ACCEPTED', outcome: 'ApplicationApproved', listingId });
  expect((await get(`/commands/${denied!.commandId}`, ownerBToken, 200)).body).toMatchObject({ status: 'REJECTED', code: 'FORBIDDEN' });
  await get('/commands/nope', master, 400);
  await get(`/commands/${missing}`, master, 404);
  await get(`/commands/${restaurant!.commandId}`, ownerBToken, 403);
  await get(`/commands/${restaurant!.commandId}`, null, 401);

  // operations
  await get('/healthz', null, 200);
  await get('/readyz', null, 200);
  await get('/metrics', null, 200);
  const unready = await notReady.get('/readyz');
  expect(unready.status).toBe(503);
  expectDocumented('/readyz', unready);

  // The command gateway's POSTs are exercised by test/console/gateway.test.ts.
  const documented = Object.entries(resolved.paths as Record<string, { get?: Operation }>).flatMap(([path, item]) =>
    Object.keys(item.get?.responses ?? {}).filter((status) => status !== 'default').map((status) => `GET ${path} ${status}`));
  expect([...exercised].sort()).toEqual(documented.sort());
});

test('a field a view adds without documenting it fails validation (the schemas are closed)', () => {
  const schema = (resolved.paths as unknown as Record<string, { get: Operation }>)['/listings/{id}']!.get.responses['200']!.content!['application/json']!.schema;
  const validate = ajv.compile(schema);
  const listing = {
    id: randomUUID(), ownerId: 'o', contentType: 'RESTAURANT', name: 'n', description: 'd', contact: { phone: 'p', email: 'e' },
    address: { postalCode: '06236', road: 'r', detail: null }, businessHours: [{ day: 'MONDAY', hours: null }],
    specific: { type: 'RESTAURANT', cuisine: 'c', seatCapacity: 1, restaurantType: 'PUB', ageRating: 'AGE_19' },
    businessRegistration: { number: '2208162517', representativeName: '김영희' }, sourceApplicationId: randomUUID(), version: 1,
    createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
  };
  expect(validate(listing)).toBe(true);
  expect(validate({ ...listing, internalNote: 'x' })).toBe(false);
  expect(validate({ ...listing, specific: { type: 'RESTAURANT', cuisine: 'c' } })).toBe(false);
  expect(validate({ ...listing, createdAt: 'yesterday' })).toBe(false);
});
