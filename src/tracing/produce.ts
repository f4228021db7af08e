import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Message } from 'kafkajs';
import { traceHeaders } from './kafka-headers.ts';
import { endingWith } from './spans.ts';
import { tracer, tracingOn } from './switch.ts';

/**
 * Sends commands with one PRODUCER span each, whose `traceparent` travels in the record's headers:
 * the trace of an application starts where its command is sent (the CLI, a producer service, the
 * gateway). Explicit rather than @opentelemetry/instrumentation-kafkajs, which patches kafkajs
 * only through require/import hooks (see docs/operations.md, "Follow one application").
 */
export async function withProducerSpans<T>(topic: string, messages: Message[], send: (traced: Message[]) => Promise<T>): Promise<T> {
  if (!tracingOn()) return send(messages);
  const spans = messages.map(() => tracer().startSpan(`send ${topic}`, {
    kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.destination.name': topic },
  }));
  const traced = messages.map((message, index) => ({
    ...message, headers: { ...message.headers, ...traceHeaders(trace.setSpan(context.active(), spans[index]!)) },
  }));
  return endingWith(spans, () => send(traced));
}
