import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setTracingOn } from './switch.ts';

export interface Tracing { stop(): Promise<void> }

/**
 * Starts the OpenTelemetry Node SDK for traces only (metrics stay with prom-client, logs with
 * pino). Without `spanProcessors` it exports by OTLP as the standard OTEL_* variables say
 * (endpoint, protocol, headers, sampler, resource attributes); the tests hand in an in-memory
 * exporter instead. No instrumentations are registered: the spans are explicit (produce.ts,
 * batch-span.ts, db-spans.ts, http-spans.ts), each file saying why. Loaded only when tracingWanted() (switch.ts), so that an untraced
 * service never loads the SDK.
 */
export function startTracing(options: { serviceName: string; spanProcessors?: SpanProcessor[] }): Tracing {
  const sdk = new NodeSDK({
    serviceName: options.serviceName, instrumentations: [], metricReaders: [], logRecordProcessors: [],
    ...(options.spanProcessors && { spanProcessors: options.spanProcessors }),
  });
  sdk.start();
  setTracingOn(true);
  return {
    async stop() {
      setTracingOn(false);
      // Flushes the spans still queued for export; an unreachable trace backend loses them but must
      // not fail the service's shutdown.
      await sdk.shutdown().catch(() => undefined);
    },
  };
}
