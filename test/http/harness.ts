import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createTokenVerifier } from '../../src/auth/tokens.ts';
import type { CommandSender } from '../../src/client/command-sender.ts';
import { loadConfig } from '../../src/config.ts';
import { createHttpApp, type HttpDeps } from '../../src/http/app.ts';
import { startLiveFeed } from '../../src/http/live-feed.ts';
import { createMetrics, type Metrics } from '../../src/metrics.ts';
import { connectDatabase, type Database } from '../../src/store/db.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

export interface Reply {
  status: number;
  headers: Headers;
  contentType: string;
  body: any;
}

export interface Api {
  url: string;
  metrics: Metrics;
  get(path: string, token?: string | null, headers?: Record<string, string>): Promise<Reply>;
  request(method: string, path: string, headers?: Record<string, string>): Promise<Reply>;
  close(): Promise<void>;
}

export const PROBLEM = 'https://backoffice.example/problems/';

/** For suites that send no commands through the gateway: it is never touched. */
const UNUSED_SENDER = {} as CommandSender;

/** Starts the app on an ephemeral port over `deps` and returns a small fetch client for it. */
export async function serve(
  deps: Omit<HttpDeps, 'sender' | 'reviewDeadlineHours' | 'live'> & Partial<Pick<HttpDeps, 'sender' | 'reviewDeadlineHours'>>,
): Promise<Api> {
  // Polled only (no LISTEN connection): suites that follow the live stream run the whole service.
  const live = startLiveFeed({ db: deps.db, metrics: deps.metrics, logger: deps.logger });
  const app = createHttpApp({ ...deps, live, sender: deps.sender ?? UNUSED_SENDER, reviewDeadlineHours: deps.reviewDeadlineHours ?? loadConfig({}).REVIEW_DEADLINE_HOURS });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = async (method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${url}${path}`, { method, headers });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const body = /json/.test(contentType) && text !== '' ? JSON.parse(text) : text;
    return { status: response.status, headers: response.headers, contentType, body };
  };
  return {
    url,
    metrics: deps.metrics,
    request,
    get: (path, token, headers = {}) => request('GET', path, token ? { authorization: `Bearer ${token}`, ...headers } : headers),
    close: async () => {
      await live.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

export interface Suite {
  stack: TestStack;
  db: Database;
  api: Api;
  logger: Logger;
  master: string;
  ownerToken(subject: string): Promise<string>;
  stop(): Promise<void>;
}

/** A fresh stack (own database), a slonik pool on it, and the app with a real token verifier. */
export async function startSuite(options: { readiness?: HttpDeps['readiness']; logger?: Logger } = {}): Promise<Suite> {
  const stack = await startTestStack();
  const db = await connectDatabase(stack.config.DATABASE_URL, 4);
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const verifier = createTokenVerifier({ publicKeyPem: stack.keys.publicKeyPem, issuer: stack.config.AUTH_ISSUER, audience: stack.config.AUTH_AUDIENCE });
  const api = await serve({
    db, verifier, metrics: createMetrics(), logger,
    readiness: options.readiness ?? (async () => ({ ready: true, checks: { database: true } })),
  });
  return {
    stack, db, api, logger,
    master: await stack.token('MASTER', 'admin-1'),
    ownerToken: (subject) => stack.token('OWNER', subject),
    async stop() {
      await api.close();
      await db.end();
      await stack.stop();
    },
  };
}

/** Asserts an RFC 9457 problem response of the given status and type suffix. */
export function expectProblem(reply: Reply, status: number, type: string): void {
  expect({ status: reply.status, contentType: reply.contentType.split(';')[0] }).toEqual({ status, contentType: 'application/problem+json' });
  expect(reply.body).toEqual(expect.objectContaining({ type: `${PROBLEM}${type}`, status, title: expect.any(String), detail: expect.any(String) }));
}

/** Follows nextCursor from `first` until the last page; `between` runs after each page. */
export async function walk(
  fetchPage: (cursor: string | null) => Promise<Reply>, between: (pageIndex: number) => Promise<void> = async () => {},
): Promise<{ items: Array<Record<string, unknown>>; pages: number }> {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const reply = await fetchPage(cursor);
    expect(reply.status).toBe(200);
    items.push(...(reply.body.items as Array<Record<string, unknown>>));
    pages += 1;
    cursor = reply.body.nextCursor as string | null;
    if (cursor === null) return { items, pages };
    expect(pages).toBeLessThan(1000);
    await between(pages - 1);
  }
}
