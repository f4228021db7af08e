import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { Batch } from 'kafkajs';
import { traceBatch } from '../../src/tracing/batch-span.ts';
import { traceLogFields } from '../../src/tracing/log-fields.ts';
import { withProducerSpans } from '../../src/tracing/produce.ts';
import { freePort } from '../../dev/stack/ports.ts';
import { REPO } from '../support/prometheus.ts';

/**
 * Tracing as configured by the environment: off (nothing added, nothing started) when no OTLP
 * endpoint is set; on, the real SDK in a plain `node` process (no loader hooks, no jest) exports
 * by OTLP/HTTP to the endpoint OTEL_EXPORTER_OTLP_ENDPOINT names.
 */

const run = promisify(execFile);

/** A child node process that starts tracing as main.ts does, records one span and stops. */
const tracedChild = (env: Record<string, string>) => run(process.execPath, ['--input-type=module', '-e', `
  const { startTracingIfWanted } = await import('${REPO}/src/tracing/start.ts');
  const { tracer } = await import('${REPO}/src/tracing/switch.ts');
  const tracing = await startTracingIfWanted('backoffice-otlp-test');
  tracer().startSpan('one span').end();
  await tracing?.stop();
  console.log(tracing ? 'traced' : 'untraced');
`], { env: { PATH: process.env.PATH!, ...env }, timeout: 30_000 });

test('with no OTLP endpoint every hook passes through: no header, no span, no log field', async () => {
  const messages = [{ key: 'k', value: Buffer.from('v') }];
  let sent: unknown;
  await withProducerSpans('topic', messages, async (traced) => { sent = traced; });
  expect(sent).toBe(messages);
  const batch = { topic: 'commands', partition: 0, messages: [{ offset: '7', headers: {} }] } as unknown as Batch;
  expect(traceBatch(batch).headersFor('7')).toEqual({});
  expect(traceLogFields()).toEqual({});
  expect((await tracedChild({})).stdout.trim()).toBe('untraced');
});

test('OTEL_EXPORTER_OTLP_ENDPOINT set: spans are exported by OTLP/HTTP (protobuf) to it, named by the service', async () => {
  const received: { url?: string; type?: string; body: Buffer }[] = [];
  const collector = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => { received.push({ url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) }); res.end(); });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = collector.address() as AddressInfo;
    const { stdout } = await tracedChild({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(stdout.trim()).toBe('traced');
    expect(received.map(({ url, type }) => ({ url, type }))).toEqual([{ url: '/v1/traces', type: 'application/x-protobuf' }]);
    expect(received[0]!.body.includes('backoffice-otlp-test')).toBe(true);
    expect(received[0]!.body.includes('one span')).toBe(true);
  } finally {
    collector.close();
  }
});

test('an unreachable trace backend does not fail the process that stops tracing', async () => {
  // OTEL_EXPORTER_OTLP_TIMEOUT, read by the SDK: the export gives up after 1 s instead of 10.
  const started = Date.now();
  const { stdout } = await tracedChild({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
  expect(Date.now() - started).toBeLessThan(8000);
  expect(stdout.trim()).toBe('traced');
});
