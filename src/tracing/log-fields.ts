import { trace } from '@opentelemetry/api';
import { tracingOn } from './switch.ts';

/** `trace_id` and `span_id` of the active span, for every log line written inside it. */
export function traceLogFields(): Record<string, string> {
  if (!tracingOn()) return {};
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
