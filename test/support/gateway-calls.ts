import { pino } from 'pino';
import { createKafka } from '../../src/kafka.ts';
import type { Reply } from '../http/harness.ts';
import type { PipelineSuite } from './suite.ts';

/** Calls to the running service's command gateway, and what they left on the command topic. */
export function gatewayCalls(suite: PipelineSuite) {
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

  return { call, commandRecords, post: (path: string, token: string | null, body?: unknown, headers?: Record<string, string>) => call('POST', path, token, body, headers) };
}
