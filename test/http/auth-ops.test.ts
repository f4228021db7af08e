import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { exportPKCS8, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { pino } from 'pino';
import { createTokenVerifier, mintToken } from '../../src/auth/tokens.ts';
import { createMetrics } from '../../src/metrics.ts';
import { connectDatabase, type Database } from '../../src/store/db.ts';
import { expectProblem, serve, startSuite, type Api, type Suite } from './harness.ts';
import { insertApplication } from './seed.ts';
import { NO_SPECIFIC_CHANGE } from '../../src/processors/decider/index.ts';

let suite: Suite;
let readiness: { ready: boolean; checks: Record<string, boolean | string> } | Error = { ready: true, checks: { database: true, consumer: true } };
beforeAll(async () => {
  suite = await startSuite({
    readiness: async () => {
      if (readiness instanceof Error) throw readiness;
      return readiness;
    },
  });
});
afterAll(async () => {
  await suite?.stop();
});

const PROTECTED = [
  '/applications', `/applications/${randomUUID()}`, `/applications/${randomUUID()}/actions`, '/owners/owner-1/applications',
  '/owners/owner-1/listings', `/listings/${randomUUID()}`, '/admin-actions', '/stats',
];

function expectUnauthorized(reply: Awaited<ReturnType<Api['get']>>): void {
  expectProblem(reply, 401, 'unauthorized');
  expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
}

describe('authentication', () => {
  const signWith = async (privateKeyPem: string, claims: Record<string, unknown>, options: { issuer?: string; audience?: string; exp?: number | null } = {}) => {
    const key = await importPKCS8(privateKeyPem, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setSubject('admin-1').setIssuedAt(now)
      .setIssuer(options.issuer ?? suite.stack.config.AUTH_ISSUER).setAudience(options.audience ?? suite.stack.config.AUTH_AUDIENCE);
    if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now + 600);
    return jwt.sign(key);
  };

  test('every protected route answers 401 with a Bearer challenge when the token is missing', async () => {
    for (const path of PROTECTED) {
      const reply = await suite.api.get(path);
      expectUnauthorized(reply);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
      expect(reply.body.instance).toBe(path);
    }
  });

  test.each([
    ['an empty header', ''],
    ['a Basic credential', 'Basic YWRtaW46YWRtaW4='],
    ['the scheme alone', 'Bearer'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['garbage', 'Bearer not-a-jwt'],
    ['a three-part non-JWT', 'Bearer aaaa.bbbb.cccc'],
    ['an unsigned alg=none token', `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"admin-1","role":"MASTER"}').toString('base64url')}.`],
    ['a 10 KB token', `Bearer ${'a'.repeat(10_000)}`],
    ['characters outside the token alphabet', 'Bearer abc%01def'],
    ['a token followed by junk', 'Bearer aaaa.bbbb.cccc, Basic x'],
  ])('%s is a 401 problem on every protected route', async (_what, header) => {
    for (const path of PROTECTED) {
      const reply = await suite.api.request('GET', path, { authorization: header });
      expectUnauthorized(reply);
    }
  });

  test('expired, wrong-key, wrong-issuer, wrong-audience, role-less and exp-less tokens are 401', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const otherKey = await exportPKCS8(privateKey);
    const own = suite.stack.keys.privateKeyPem;
    const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = suite.stack.config;
    const tokens = {
      expired: await suite.stack.token('MASTER', 'admin-1', { issuedAt: new Date(Date.now() - 7200_000), expiresInSeconds: 3600 }),
      wrongKey: await mintToken({ privateKeyPem: otherKey, subject: 'admin-1', role: 'MASTER', issuer, audience }),
      wrongIssuer: await mintToken({ privateKeyPem: own, subject: 'admin-1', role: 'MASTER', issuer: 'someone-else', audience }),
      wrongAudience: await mintToken({ privateKeyPem: own, subject: 'admin-1', role: 'MASTER', issuer, audience: 'another-api' }),
      unknownRole: await signWith(own, { role: 'ADMIN' }),
      noRole: await signWith(own, {}),
      noExpiry: await signWith(own, { role: 'MASTER' }, { exp: null }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      for (const path of ['/applications', '/stats']) {
        const reply = await suite.api.get(path, token);
        expect({ name, path, status: reply.status }).toEqual({ name, path, status: 401 });
        expectUnauthorized(reply);
        expect(reply.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      }
    }
    // The same claims signed with the right key are accepted.
    expect((await suite.api.get('/stats', await signWith(own, { role: 'MASTER' }))).status).toBe(200);
  });

  test('the scheme is case-insensitive and a valid token is accepted', async () => {
    const reply = await suite.api.request('GET', '/stats', { authorization: `bearer ${suite.master}` });
    expect(reply.status).toBe(200);
  });

  test('a 401 or 403 never carries data', async () => {
    await insertApplication(suite.stack.db, { applicantId: 'secret-owner', details: { type: 'INFO_CHANGE', contact: null, address: null, businessHours: null, ...NO_SPECIFIC_CHANGE } });
    const unauthorized = await suite.api.get('/applications?applicantId=secret-owner');
    expect(JSON.stringify(unauthorized.body)).not.toContain('secret-owner');
    const forbidden = await suite.api.get('/applications?applicantId=secret-owner', await suite.ownerToken('someone'));
    expect(Object.keys(forbidden.body).sort()).toEqual(['detail', 'instance', 'status', 'title', 'type']);
    expect(JSON.stringify(forbidden.body)).not.toContain('secret-owner');
  });
});

describe('robustness', () => {
  test('unknown routes are 404 problems with or without a token', async () => {
    for (const token of [undefined, suite.master]) {
      const reply = await suite.api.get('/no/such/thing?x=1', token);
      expectProblem(reply, 404, 'not-found');
      expect(reply.body.instance).toBe('/no/such/thing');
    }
    expectProblem(await suite.api.get('/'), 404, 'not-found');
  });

  test('oversized headers are refused by the server with 431, never a 5xx', async () => {
    const reply = await suite.api.request('GET', '/healthz', { 'x-padding': 'a'.repeat(64 * 1024) });
    expect(reply.status).toBe(431);
    // and the server is still there
    expect((await suite.api.get('/healthz')).status).toBe(200);
  });

  test('a malformed path encoding is a 400 problem', async () => {
    expectProblem(await suite.api.get('/applications/%E0%A4%A', suite.master), 400, 'invalid-request');
  });

  test('responses are JSON with nosniff and no caching of private data', async () => {
    const reply = await suite.api.get('/stats', suite.master);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('cache-control')).toBe('private, no-store');
    expect(reply.headers.get('x-powered-by')).toBeNull();
  });

  test('an unexpected error is a 500 problem without internals, and is logged', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    // Every query method fails the same way (a page and its count run side by side).
    const fail = async () => { throw new Error('relation "secret_internal_table" does not exist'); };
    const broken = new Proxy({}, { get: (_target, name) => (name === 'then' ? undefined : fail) }) as unknown as Database;
    const api = await serve({
      db: broken, logger, metrics: createMetrics(), readiness: async () => ({ ready: true, checks: {} }),
      verifier: createTokenVerifier({ publicKeyPem: suite.stack.keys.publicKeyPem, issuer: suite.stack.config.AUTH_ISSUER, audience: suite.stack.config.AUTH_AUDIENCE }),
    });
    try {
      const reply = await api.get('/applications', suite.master);
      expectProblem(reply, 500, 'internal-error');
      expect(JSON.stringify(reply.body)).not.toMatch(/secret_internal_table|Error|at /);
      expect(lines.some((line) => line.includes('secret_internal_table') && line.includes('"level":50'))).toBe(true);
    } finally {
      await api.close();
    }
  });

  test('a database that goes away is a 503 problem with Retry-After', async () => {
    // A pool that connected through a TCP relay, which then disappears with every connection.
    const target = new URL(suite.stack.config.DATABASE_URL);
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayed = new URL(target);
    relayed.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const unreachable = await connectDatabase(relayed.toString(), 1);
    relay.close();
    for (const socket of sockets) socket.destroy();
    const api = await serve({
      db: unreachable, logger: pino({ level: 'silent' }), metrics: createMetrics(), readiness: async () => ({ ready: false, checks: { database: false } }),
      verifier: createTokenVerifier({ publicKeyPem: suite.stack.keys.publicKeyPem, issuer: suite.stack.config.AUTH_ISSUER, audience: suite.stack.config.AUTH_AUDIENCE }),
    });
    try {
      const reply = await api.get('/stats', suite.master);
      expectProblem(reply, 503, 'service-unavailable');
      expect(reply.headers.get('retry-after')).toBe('5');
    } finally {
      await api.close();
      await unreachable.end();
    }
  });
});

describe('operations endpoints', () => {
  test('GET /healthz is always 200 without a token', async () => {
    const reply = await suite.api.get('/healthz');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
    expect((await suite.api.request('HEAD', '/healthz')).status).toBe(200);
    expectProblem(await suite.api.request('POST', '/healthz'), 405, 'method-not-allowed');
  });

  test('GET /readyz is 200 when ready and 503 with the failing checks when not', async () => {
    readiness = { ready: true, checks: { database: true, consumer: true } };
    const ready = await suite.api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: true, consumer: true } });

    readiness = { ready: false, checks: { database: true, consumer: 'not joined' } };
    const notReady = await suite.api.get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not ready', checks: { database: true, consumer: 'not joined' } });

    readiness = new Error('boom');
    const failing = await suite.api.get('/readyz');
    expect(failing.status).toBe(503);
    expect(failing.body.status).toBe('not ready');
    expect(JSON.stringify(failing.body)).not.toContain('boom');
    readiness = { ready: true, checks: {} };
  });

  test('GET /metrics exposes backoffice_http_request_duration_seconds labelled by route pattern, not raw path', async () => {
    const count = (text: string, labels: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`backoffice_http_request_duration_seconds_count{${labels}} `));
      return line === undefined ? 0 : Number(line.split(' ')[1]);
    };
    const before = (await suite.api.get('/metrics')).body as string;
    const id = randomUUID();
    await suite.api.get(`/applications/${id}`, suite.master);
    await suite.api.get(`/applications/${id}`);
    await suite.api.get(`/applications/${id}`);
    await suite.api.get('/nowhere');
    const reply = await suite.api.get('/metrics');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain/);
    const text = reply.body as string;
    expect(text).toContain('# TYPE backoffice_http_request_duration_seconds histogram');
    const delta = (labels: string) => count(text, labels) - count(before, labels);
    expect(delta('method="GET",route="/applications/:id",status="404"')).toBe(1);
    expect(delta('method="GET",route="/applications/:id",status="401"')).toBe(2);
    expect(delta('method="GET",route="unmatched",status="404"')).toBe(1);
    expect(delta('method="GET",route="/metrics",status="200"')).toBe(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('/nowhere');
  });
});
