import { context, ROOT_CONTEXT, SpanKind, trace, type Link } from '@opentelemetry/api';
import type { Batch } from 'kafkajs';
import { contextOfHeaders, spanContextIn, traceHeaders } from './kafka-headers.ts';
import { tracer, tracingOn } from './switch.ts';

const messaging = (batch: Pick<Batch, 'topic' | 'partition'>) => ({
  'messaging.system': 'kafka', 'messaging.destination.name': batch.topic, 'messaging.destination.partition.id': String(batch.partition),
});

/** A batch's spans, open while its chunks travel the pipeline. */
export interface BatchTrace {
  /** The trace headers for the records caused by the command record at `offset` (empty when untraced). */
  headersFor(offset: string): Record<string, string>;
  /** Runs `work` inside the batch span, so its queries and log lines belong to it. */
  within<T>(work: () => T): T;
  /** Ends the spans, once the batch was committed or abandoned. */
  end(): void;
}

const UNTRACED: BatchTrace = { headersFor: () => ({}), within: (work) => work(), end: () => {} };

/**
 * One CONSUMER span per kafkajs batch, linked to the producer span of each of its commands. Its
 * parent is the first traced command's producer span, so that a batch of one (the usual case at
 * low traffic) is one connected trace from the send to PostgreSQL. Every traced command also gets
 * a short span of its own, a child of its producer span linked to the batch span: the records it
 * causes (events, listings, notifications, dead letters) carry that span's `traceparent`, so that
 * each application can be followed in its own trace whatever batch it was applied in. Explicit
 * rather than @opentelemetry/instrumentation-kafkajs: that instrumentation wraps eachBatch per
 * message and injects the context current at send time, whereas here eachBatch returns before
 * the batch is applied, and the records are published by the outbox relay (possibly after a
 * restart, by another instance), so the context must be fixed in the outbox row when the
 * transaction writes it.
 */
export function traceBatch(batch: Batch): BatchTrace {
  if (!tracingOn()) return UNTRACED;
  const producers = batch.messages.map((message) => ({ offset: message.offset, ctx: contextOfHeaders(message.headers) }));
  const traced = producers.filter(({ ctx }) => spanContextIn(ctx));
  const links: Link[] = traced.map(({ ctx }) => ({ context: spanContextIn(ctx)! }));
  const parent = traced[0]?.ctx ?? ROOT_CONTEXT;
  const batchSpan = tracer().startSpan(`process ${batch.topic}`, {
    kind: SpanKind.CONSUMER, links, attributes: { ...messaging(batch), 'messaging.operation.type': 'process', 'messaging.batch.message_count': batch.messages.length },
  }, parent);
  const batchContext = trace.setSpan(context.active(), batchSpan);
  const batchHeaders = traceHeaders(batchContext);
  const headersByOffset = new Map<string, Record<string, string>>();
  const spans = traced.map(({ offset, ctx }) => {
    const span = tracer().startSpan(`process command ${batch.topic}`, {
      kind: SpanKind.CONSUMER, links: [{ context: batchSpan.spanContext() }], attributes: { ...messaging(batch), 'messaging.kafka.offset': Number(offset) },
    }, ctx);
    headersByOffset.set(offset, traceHeaders(trace.setSpan(ROOT_CONTEXT, span)));
    return span;
  });
  spans.push(batchSpan);
  return {
    headersFor: (offset) => ({ ...(headersByOffset.get(offset) ?? batchHeaders) }),
    within: (work) => context.with(batchContext, work),
    end: () => { for (const span of spans) span.end(); },
  };
}
