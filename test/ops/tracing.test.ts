import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger } from '../../src/logger.ts';
import { startTracing, type Tracing } from '../../src/tracing/sdk.ts';
import { tracingWanted } from '../../src/tracing/start.ts';
import type { ReadMessage } from '../../src/client/event-reader.ts';
import { approve, forCommand, submitNew } from '../support/commands.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

/**
 * One application followed end to end on the real stack (Apache Kafka, Apicurio, PostgreSQL) with
 * the SDK's in-memory exporter: the command's send span, the processor's batch span (its child,
 * linked to it), the PostgreSQL queries inside the batch, and the `traceparent` of every record
 * the command caused, all in one trace.
 */

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let stack: TestStack;
let pipeline: Pipeline;
let master: string;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'backoffice-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  stack = await startTestStack({ partitions: 1 });
  const sink = new Writable({ write(chunk, _encoding, done) { logLines.push(...String(chunk).trim().split('\n').map((line) => JSON.parse(line))); done(); } });
  pipeline = await startPipeline(stack, {}, createLogger('info', sink));
  master = await stack.token('MASTER', 'admin-tracing');
});

afterAll(async () => {
  try {
    await pipeline?.stop();
    await stack?.stop();
  } finally {
    await tracing?.stop();
  }
});

const spans = () => exporter.getFinishedSpans();
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
/** `traceparent` = version-traceid-spanid-flags. */
const traceparentOf = (headers: Record<string, string>) => {
  const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(headers.traceparent ?? '') ?? [];
  return { traceId, spanId };
};
/** The span, its parent, its parent's parent... as far as this trace's finished spans go. */
function ancestry(span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(spans().map((s) => [s.spanContext().spanId, s]));
  const chain = [span];
  for (let parent = byId.get(parentOf(span) ?? ''); parent; parent = byId.get(parentOf(parent) ?? '')) chain.push(parent);
  return chain;
}

test('tracing is off unless an OTLP endpoint is configured, and OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none turn it off', () => {
  expect(tracingWanted({})).toBe(false);
  expect(tracingWanted({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
  expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
  expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
  expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
});

test('produce -> batch -> PostgreSQL -> published records is one connected trace, for each command of an application', async () => {
  const { topics } = pipeline;
  const [submitted] = await pipeline.sender.send([submitNew('owner-tracing')]);
  const applicationId = submitted!.applicationId;
  const about = (m: ReadMessage, template?: string) => {
    const value = m.value as { applicationId?: string; template?: string };
    return value.applicationId === applicationId && (template === undefined || value.template === template);
  };
  const causes = new Map([
    [submitted!, (m: ReadMessage) => forCommand(topics.events, submitted!.commandId)(m) || (m.topic === topics.notifications && about(m, 'APPLICATION_RECEIVED'))],
  ]);
  await pipeline.reader.waitFor(causes.get(submitted!)!, 2);
  const [approved] = await pipeline.sender.send([approve(applicationId, master)]);
  causes.set(approved!, (m: ReadMessage) => forCommand(topics.events, approved!.commandId)(m)
    || (m.topic === topics.listings.RESTAURANT && about(m)) || (m.topic === topics.notifications && about(m, 'APPLICATION_APPROVED')));
  await pipeline.reader.waitFor(causes.get(approved!)!, 3);

  const traces = new Set<string>();
  for (const [command, causedBy] of causes) {
    const caused = pipeline.reader.messages.filter(causedBy);
    // The send span of the command: its traceparent is on the command record.
    const traceId = traceparentOf(caused[0]!.headers).traceId!;
    traces.add(traceId);
    const send = await eventually(async () => spans().find((s) => s.kind === SpanKind.PRODUCER && s.spanContext().traceId === traceId));
    expect(send.name).toBe(`send ${topics.commands}`);

    // The batch span and the command's own span, both children of the send span; the batch span is linked to it.
    const inTrace = await eventually(async () => {
      const found = spans().filter((s) => s.spanContext().traceId === traceId);
      return found.some((s) => s.name === `process ${topics.commands}`) && found.some((s) => s.name.startsWith('WITH')) ? found : undefined;
    });
    const batch = inTrace.find((s) => s.name === `process ${topics.commands}`)!;
    const own = inTrace.find((s) => s.name === `process command ${topics.commands}`)!;
    expect(batch.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(batch)).toBe(send.spanContext().spanId);
    expect(batch.links.map((link) => link.context.spanId)).toContain(send.spanContext().spanId);
    expect(parentOf(own)).toBe(send.spanContext().spanId);
    expect(own.links.map((link) => link.context.spanId)).toEqual([batch.spanContext().spanId]);

    // The transaction's write (one statement, data-modifying CTEs) and the relay's watermark mark run inside the batch span.
    const write = inTrace.find((s) => String(s.attributes['db.query.text']).includes('WITH written_applications AS'))!;
    expect(write.kind).toBe(SpanKind.CLIENT);
    expect(write.attributes['db.system.name']).toBe('postgresql');
    expect(ancestry(write).map((s) => s.spanContext().spanId)).toEqual([write.spanContext().spanId, batch.spanContext().spanId, send.spanContext().spanId]);
    const published = inTrace.find((s) => String(s.attributes['db.query.text']).includes('INSERT INTO outbox_published'))!;
    expect(ancestry(published).at(-1)!.spanContext().spanId).toBe(send.spanContext().spanId);

    // Every record the command caused carries the command's own span as parent.
    expect(caused.length).toBe(command === submitted ? 2 : 3);
    for (const record of caused) expect({ topic: record.topic, ...traceparentOf(record.headers) }).toEqual({ topic: record.topic, traceId, spanId: own.spanContext().spanId });
  }
  // Each command is a trace of its own: the application is followed through the links of its commands.
  expect(traces.size).toBe(2);
});

test('a dead letter continues the trace of the bytes that were sent, and the processor\'s log line carries its trace_id and span_id', async () => {
  await pipeline.sender.sendRaw([{ key: 'garbage-tracing', value: Buffer.from('not avro') }]);
  const [dead] = await pipeline.reader.waitFor((m) => m.topic === pipeline.topics.dlq && m.key === 'garbage-tracing');
  const { traceId, spanId } = traceparentOf(dead!.headers);
  // The record can arrive before the processor's spans have ended.
  const own = await eventually(async () => spans().find((s) => s.spanContext().spanId === spanId));
  const send = spans().find((s) => s.kind === SpanKind.PRODUCER && s.spanContext().traceId === traceId)!;
  expect(parentOf(own)).toBe(send.spanContext().spanId);
  expect(dead!.headers['error.code']).toBe('BAD_MAGIC_BYTE');

  const line = await eventually(async () => logLines.find((l) => l.msg === 'record dead-lettered' && l.trace_id === traceId));
  const batch = spans().find((s) => s.spanContext().spanId === line.span_id)!;
  expect(batch.name).toBe(`process ${pipeline.topics.commands}`);
});

test('an HTTP request continues the caller\'s trace, its span named by the route, its queries inside it', async () => {
  const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
  const response = await fetch(`http://127.0.0.1:${pipeline.service.httpPort}/applications?limit=1`, {
    headers: { authorization: `Bearer ${master}`, traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
  });
  expect(response.status).toBe(200);
  const server = await eventually(async () => spans().find((s) => s.kind === SpanKind.SERVER && s.spanContext().traceId === caller.traceId));
  expect(server.name).toBe('GET /applications');
  expect(parentOf(server)).toBe(caller.spanId);
  expect(server.attributes['http.response.status_code']).toBe(200);
  const query = spans().find((s) => s.kind === SpanKind.CLIENT && s.spanContext().traceId === caller.traceId)!;
  expect(parentOf(query)).toBe(server.spanContext().spanId);
});
