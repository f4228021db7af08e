import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { exportPKCS8, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import type { Producer } from 'kafkajs';
import { EventReader } from '../../src/client/event-reader.ts';
import type { CommandInput } from '../../src/client/command-sender.ts';
import { listingIdFor } from '../../src/processors/decider/index.ts';
import { commandToWire, type UnverifiedCommand } from '../../src/schemas/commands.ts';
import { approve, submitNew } from '../support/commands.ts';
import { loadProducer } from '../support/fault/load.ts';
import { serviceEnv, ServiceProcess } from '../support/fault/process.ts';
import { startFaultStack, type FaultStack } from '../support/fault/stack.ts';

/**
 * Hostile HTTP requests against the read API of the real service process, on data written by
 * the real pipeline: malformed ids and query parameters, huge and malformed headers, forged
 * tokens, and an owner asking for another owner's data. Every answer must be a 4xx
 * application/problem+json (never a 5xx), and never carry the other owner's data.
 */

const ALICE = 'owner-alice';
const BOB = 'owner-bob';

let stack: FaultStack;
let processor: ServiceProcess;
let reader: EventReader;
let producer: Producer;
const bob = { pending: '', approved: '', listing: '', secret: `bob-secret-${randomUUID().slice(0, 8)}` };
const alice = { pending: '', approved: '', listing: '' };
const tokens: Record<string, string> = {};

interface Reply { status: number; contentType: string; text: string; body: any }

/** A raw request (node:http, so that headers and paths go out exactly as written). */
function send(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: processor.httpPort, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const contentType = String(res.headers['content-type'] ?? '');
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* not JSON: the assertion on content type says so */ }
        // eslint-disable-next-line honesty/no-default-figure -- a response always has a status; 0 would match no expected status and fail
        resolve({ status: res.statusCode ?? 0, contentType, text, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function sendAndWait(inputs: CommandInput[]): Promise<UnverifiedCommand[]> {
  const encoded = inputs.map((input) => {
    const command = { ...input, commandId: randomUUID(), issuedAt: Date.now() } as UnverifiedCommand;
    return { command, value: stack.serde.encode(stack.topics.commands, commandToWire(command)) };
  });
  await producer.send({ topic: stack.topics.commands, acks: -1, messages: encoded.map(({ command, value }) => ({ key: command.applicationId, value })) });
  for (const { command } of encoded) {
    await reader.waitFor((message) => (message.value as { commandId?: string } | null)?.commandId === command.commandId, 1, 60_000);
  }
  return encoded.map(({ command }) => command);
}

beforeAll(async () => {
  stack = await startFaultStack();
  processor = await ServiceProcess.start({ name: 'hostile-http', env: serviceEnv(stack.config), logDir: stack.dir });
  await processor.waitReady();
  producer = loadProducer(stack.kafka);
  await producer.connect();
  reader = new EventReader(stack.kafka, stack.serde);
  await reader.start([stack.topics.events]);

  // Each owner: one PENDING application, one APPROVED (so a listing and an audit row).
  const bobSubmit = { ...submitNew(BOB), details: { ...(submitNew(BOB) as { details: object }).details, name: bob.secret } } as CommandInput;
  const [alicePending, aliceApproved, bobPending, bobApproved] = await sendAndWait([submitNew(ALICE), submitNew(ALICE), bobSubmit, submitNew(BOB)]);
  tokens.master = await stack.token('MASTER', 'admin-kim');
  await sendAndWait([approve(aliceApproved!.applicationId, tokens.master), approve(bobApproved!.applicationId, tokens.master)]);
  Object.assign(alice, { pending: alicePending!.applicationId, approved: aliceApproved!.applicationId, listing: listingIdFor(aliceApproved!.applicationId) });
  Object.assign(bob, { pending: bobPending!.applicationId, approved: bobApproved!.applicationId, listing: listingIdFor(bobApproved!.applicationId) });

  tokens.alice = await stack.token('OWNER', ALICE);
  const now = Math.floor(Date.now() / 1000);
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const foreignKey = await importPKCS8(await exportPKCS8(privateKey), 'RS256');
  const ownKey = await importPKCS8(stack.keys.privateKeyPem, 'RS256');
  const jwt = (claims: Record<string, unknown>) => new SignJWT({ role: 'MASTER', ...claims }).setProtectedHeader({ alg: 'RS256' })
    .setSubject('admin-mallory').setIssuedAt(now).setIssuer(stack.config.AUTH_ISSUER).setAudience(stack.config.AUTH_AUDIENCE).setExpirationTime(now + 600);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  tokens.algNone = `${b64({ alg: 'none' })}.${b64({ sub: 'admin-mallory', role: 'MASTER', iss: stack.config.AUTH_ISSUER, aud: stack.config.AUTH_AUDIENCE, exp: now + 600 })}.`;
  tokens.foreign = await jwt({}).sign(foreignKey);
  tokens.wrongIssuer = await jwt({}).setIssuer('evil').sign(ownKey);
  tokens.expired = await jwt({}).setIssuedAt(now - 7200).setExpirationTime(now - 3600).sign(ownKey);
  tokens.hs256 = await new SignJWT({ role: 'MASTER' }).setProtectedHeader({ alg: 'HS256' }).setSubject('admin-mallory').setIssuer(stack.config.AUTH_ISSUER)
    .setAudience(stack.config.AUTH_AUDIENCE).setExpirationTime(now + 600).sign(new TextEncoder().encode(stack.keys.publicKeyPem));
}, 180_000);

afterAll(async () => {
  await reader?.stop();
  await producer?.disconnect();
  await processor?.destroy();
  await stack?.stop();
});

interface HttpCase { name: string; path: () => string; headers?: () => Record<string, string>; method?: string; status: number; owner?: 'alice' }

const cases: HttpCase[] = [
  // Malformed ids.
  { name: 'application id not a UUID', path: () => '/applications/not-a-uuid', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'application id with a NUL byte', path: () => '/applications/%00', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'application id that is SQL', path: () => `/applications/${encodeURIComponent("' OR '1'='1")}`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'application id of 5,000 characters', path: () => `/applications/${'a'.repeat(5000)}`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'application id with broken percent-encoding', path: () => '/applications/%ZZ%E0%A4%A', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'path traversal in the application id', path: () => '/applications/..%2F..%2Fetc%2Fpasswd', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'UUID with a trailing newline', path: () => `/applications/${randomUUID()}%0A`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'actions of a non-UUID', path: () => '/applications/123/actions', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'listing id not a UUID', path: () => '/listings/listing-1', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'owner id with a NUL byte', path: () => '/owners/%00/applications', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'owner id of 300 characters', path: () => `/owners/${'x'.repeat(300)}/listings`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'unknown application (well-formed UUID)', path: () => `/applications/${randomUUID()}`, headers: () => bearer(tokens.master!), status: 404 },
  // Query parameters.
  { name: 'limit=-1', path: () => '/applications?limit=-1', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'limit=0', path: () => '/applications?limit=0', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'limit=101', path: () => '/applications?limit=101', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'limit=1e3', path: () => '/applications?limit=1e3', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'limit=99999999999999999999', path: () => '/applications?limit=99999999999999999999', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'limit given twice', path: () => '/applications?limit=1&limit=2', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'status=HACKED', path: () => '/applications?status=HACKED', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'contentType with a NUL byte', path: () => '/applications?contentType=RESTAURANT%00', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'kind that is SQL', path: () => `/applications?kind=${encodeURIComponent("NEW_LISTING' --")}`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'cursor that is garbage', path: () => '/applications?cursor=%%%garbage', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'cursor of base64 JSON with SQL in it', path: () => `/applications?cursor=${Buffer.from(JSON.stringify({ k: 't1', at: "2025-01-01'; DROP TABLE applications; --", id: randomUUID() })).toString('base64url')}`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'cursor with a year-0 timestamp', path: () => `/applications?cursor=${Buffer.from(JSON.stringify({ k: 't1', at: '0000-01-01T00:00:00.000000Z', id: randomUUID() })).toString('base64url')}`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'cursor of 10,000 characters', path: () => `/applications?cursor=${'A'.repeat(10_000)}`, headers: () => bearer(tokens.master!), status: 400 },
  { name: 'admin-actions from that is not a date', path: () => '/admin-actions?from=yesterday', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'admin-actions from month 13', path: () => '/admin-actions?from=2025-13-45T00:00:00Z', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'admin-actions from after to', path: () => '/admin-actions?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'admin-actions in year 10000', path: () => '/admin-actions?from=10000-01-01T00:00:00Z', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'admin-actions adminId with a control character', path: () => '/admin-actions?adminId=admin%07', headers: () => bearer(tokens.master!), status: 400 },
  { name: 'admin-actions id cursor beyond bigint', path: () => `/admin-actions?cursor=${Buffer.from(JSON.stringify({ k: 'i1', id: '99999999999999999999' })).toString('base64url')}`, headers: () => bearer(tokens.master!), status: 400 },
  // Headers and tokens.
  { name: 'no Authorization header', path: () => '/applications', status: 401 },
  { name: 'Basic credentials', path: () => '/applications', headers: () => ({ authorization: 'Basic YWRtaW46YWRtaW4=' }), status: 401 },
  { name: 'token with alg none', path: () => '/applications', headers: () => bearer(tokens.algNone!), status: 401 },
  { name: 'token signed with another key', path: () => '/applications', headers: () => bearer(tokens.foreign!), status: 401 },
  { name: 'token of another issuer', path: () => '/applications', headers: () => bearer(tokens.wrongIssuer!), status: 401 },
  { name: 'expired token', path: () => '/applications', headers: () => bearer(tokens.expired!), status: 401 },
  { name: 'HS256 token keyed with the public key', path: () => '/applications', headers: () => bearer(tokens.hs256!), status: 401 },
  { name: 'token of 9,000 characters', path: () => '/applications', headers: () => bearer('a'.repeat(9000)), status: 401 },
  { name: 'Authorization header of 20 KiB', path: () => '/applications', headers: () => bearer('a'.repeat(20 * 1024)), status: 431 },
  { name: '100 cookies of 200 bytes each', path: () => '/applications', headers: () => ({ ...bearer(tokens.master!), cookie: Array.from({ length: 100 }, (_, index) => `c${index}=${'v'.repeat(200)}`).join('; ') }), status: 431 },
  { name: 'POST to a read-only resource', path: () => '/stats', headers: () => bearer(tokens.master!), method: 'POST', status: 405 },
  // /applications takes POST (the gateway's submit): an admin is refused it, an owner is the applicant.
  { name: 'POST of an application by a MASTER', path: () => '/applications', headers: () => bearer(tokens.master!), method: 'POST', status: 403 },
  { name: 'DELETE of an application', path: () => `/applications/${randomUUID()}`, headers: () => bearer(tokens.master!), method: 'DELETE', status: 405 },
  // Another owner's data, asked for by alice.
  { name: "another owner's application", path: () => `/applications/${bob.pending}`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: "another owner's application, id in upper case", path: () => `/applications/${bob.pending.toUpperCase()}`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: "another owner's application actions", path: () => `/applications/${bob.approved}/actions`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: "another owner's application list", path: () => `/owners/${BOB}/applications`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: "another owner's listings", path: () => `/owners/${BOB}/listings`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: "another owner's listing", path: () => `/listings/${bob.listing}`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: "applications filtered by another owner's id", path: () => `/applications?applicantId=${BOB}`, headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: 'the audit log as an owner', path: () => '/admin-actions', headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
  { name: 'the statistics as an owner', path: () => '/stats', headers: () => bearer(tokens.alice!), status: 403, owner: 'alice' },
];

/** Bob's data in an answer to alice, apart from what alice herself put in the path. */
function leaksBob(text: string, path: string): boolean {
  const asked = decodeURIComponent(path).toLowerCase();
  return [bob.pending, bob.approved, bob.listing, bob.secret, BOB].some((secret) => !asked.includes(secret.toLowerCase()) && text.toLowerCase().includes(secret.toLowerCase()));
}

test('hostile HTTP requests: always a 4xx problem+json, never a 5xx, never another owner\'s data', async () => {
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  for (const which of cases) {
    const reply = await send(which.path(), which.headers?.() ?? {}, which.method);
    statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
    const problems: string[] = [];
    if (reply.status !== which.status) problems.push(`status ${reply.status}, expected ${which.status}`);
    if (reply.status >= 500) problems.push('a 5xx');
    if (!reply.contentType.startsWith('application/problem+json')) problems.push(`content type "${reply.contentType}"`);
    if (typeof reply.body !== 'object' || reply.body?.status !== reply.status || typeof reply.body?.type !== 'string' || typeof reply.body?.detail !== 'string') {
      problems.push(`not a problem document: ${reply.text.slice(0, 200)}`);
    }
    if (which.owner === 'alice' && leaksBob(reply.text, which.path())) problems.push("the answer carries the other owner's data");
    if (problems.length > 0) failures.push(`${which.name} (${which.method ?? 'GET'} ${which.path().slice(0, 80)}): ${problems.join('; ')}`);
  }
  process.stdout.write(`HOSTILE-HTTP-SUMMARY ${JSON.stringify({ cases: cases.length, statuses, failed: failures.length })}\n`);
  expect(failures).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(40);
});

test('parameter pollution cannot widen what an owner sees', async () => {
  // Repeated, bracketed or oddly cased parameters: refused, or ignored, but never a way around
  // the owner filter and never a 5xx.
  const polluted = [
    `/applications?applicantId=${ALICE}&applicantId=${BOB}`, `/applications?applicantId[]=${BOB}`, `/applications?applicantid=${BOB}`,
    `/applications?applicantId=${BOB}%00`, `/applications?applicantId=${encodeURIComponent(`${ALICE}' OR '1'='1`)}`, '/applications?status[]=PENDING',
    `/owners/${ALICE}/applications?applicantId=${BOB}`, `/owners/${ALICE}%2F..%2F${BOB}/applications`,
  ];
  const failures: string[] = [];
  for (const path of polluted) {
    const reply = await send(path, bearer(tokens.alice!));
    if (reply.status >= 500) failures.push(`${path}: ${reply.status}`);
    if (leaksBob(reply.text, path)) failures.push(`${path}: the answer carries the other owner's data`);
    if (reply.status >= 400 && !reply.contentType.startsWith('application/problem+json')) failures.push(`${path}: ${reply.status} as ${reply.contentType}`);
  }
  expect(failures).toEqual([]);
});

test('an owner sees exactly its own data, and the service is unharmed afterwards', async () => {
  const list = await send('/applications?limit=100', bearer(tokens.alice!));
  expect(list.status).toBe(200);
  expect((list.body.items as { id: string; applicantId: string }[]).map((item) => item.id).sort()).toEqual([alice.pending, alice.approved].sort());
  expect(list.text).not.toContain(BOB);
  const listings = await send(`/owners/${ALICE}/listings`, bearer(tokens.alice!));
  expect(listings.status).toBe(200);
  expect((listings.body.items as { id: string }[]).map((item) => item.id)).toEqual([alice.listing]);
  // The master still sees everyone's; the tables are intact; the process never restarted.
  const all = await send('/applications?limit=100', bearer(tokens.master!));
  expect((all.body.items as unknown[]).length).toBe(4);
  expect(processor.alive).toBe(true);
  expect((await processor.readyz())?.status).toBe(200);
  expect(processor.errorLines()).toEqual([]);
});
