import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

/** kafkajs hands header values over as Buffers (or arrays of them, for a repeated header). */
const getter: TextMapGetter<IHeaders | undefined> = {
  keys: (headers) => Object.keys(headers ?? {}),
  get: (headers, key) => {
    const value = headers?.[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map(String) : String(value);
  },
};

/** The W3C trace context (`traceparent`, `tracestate`) a record carries, or the root context. */
export const contextOfHeaders = (headers: IHeaders | undefined): Context => propagation.extract(ROOT_CONTEXT, headers, getter);

/** The headers that carry `span`'s context (or the active one) to whoever reads the record. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The span context in `ctx`, if a (valid) one is there. */
export const spanContextIn = (ctx: Context) => {
  const found = trace.getSpanContext(ctx);
  return found && trace.isSpanContextValid(found) ? found : undefined;
};
