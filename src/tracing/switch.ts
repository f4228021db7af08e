import { trace } from '@opentelemetry/api';

/**
 * Whether traces are being recorded. Every helper in src/tracing asks this first and does nothing
 * else when it is false, so that the processor pays one boolean read per batch or record when the
 * OTEL_* variables are unset (the service is benchmarked that way). Only sdk.ts turns it on.
 */
let on = false;

export const tracingOn = (): boolean => on;
export const setTracingOn = (value: boolean): void => { on = value; };

export const tracer = () => trace.getTracer('backoffice-approval-processor');
