import { pino } from 'pino';
import { createTokenVerifier } from '../../src/auth/tokens.ts';
import { CommandSender } from '../../src/client/command-sender.ts';
import { createKafka } from '../../src/kafka.ts';
import { createMetrics } from '../../src/metrics.ts';
import { connectDatabase, type Database } from '../../src/store/db.ts';
import { serve, type Reply } from '../http/harness.ts';
import type { PipelineSuite } from './suite.ts';

/**
 * Calls to the running service's command gateway, what they left on the command topic, and a
 * second gateway over the same database with a sender of the test's own (a broker that refuses).
 */
export function gatewayCalls(suite: Pick<PipelineSuite, 'stack' | 'pipeline'>) {
  let db: Database;
  beforeAll(async () => {
    db = await connectDatabase(suite.stack.config.DATABASE_URL, 2);
  });
  afterAll(async () => {
    await db?.end();
  });

  async function call(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}, base?: string): Promise<Reply> {
    const response = await fetch(`${base ?? `http://127.0.0.1:${suite.pipeline.service.httpPort}`}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    return { status: response.status, headers: response.headers, contentType, body: /json/.test(contentType) && text !== '' ? JSON.parse(text) : text };
  }

  /** Records on the suite's command topic, by the sum of its end offsets. */
  async function commandRecords(): Promise<number> {
    const admin = createKafka(suite.stack.config, pino({ level: 'silent' }), '-offsets').admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(suite.pipeline.topics.commands)).reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** The gateway over the suite's database and token keys, producing with `sender`; close() also disconnects the sender. */
  async function gatewayWith(sender: CommandSender): Promise<{ url: string; close(): Promise<void> }> {
    const verifier = createTokenVerifier({ publicKeyPem: suite.stack.keys.publicKeyPem, issuer: suite.stack.config.AUTH_ISSUER, audience: suite.stack.config.AUTH_AUDIENCE });
    const api = await serve({ db, verifier, sender, metrics: createMetrics(), logger: pino({ level: 'silent' }), readiness: async () => ({ ready: true, checks: {} }) });
    return {
      url: api.url,
      close: async () => {
        await api.close();
        await sender.disconnect();
      },
    };
  }

  /** A sender to a broker address where nothing listens: connections are refused, after one quick retry. */
  const refusingSender = () => new CommandSender(
    createKafka({ ...suite.stack.config, KAFKA_BROKERS: ['127.0.0.1:1'] }, pino({ level: 'silent' }), '-refused', { retries: 1, initialRetryTime: 50, maxRetryTime: 100 }),
    suite.pipeline.serde, suite.pipeline.topics,
  );

  return {
    call, commandRecords, gatewayWith, refusingSender,
    post: (path: string, token: string | null, body?: unknown, headers?: Record<string, string>) => call('POST', path, token, body, headers),
  };
}
