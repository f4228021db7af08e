import type { Tracing } from './sdk.ts';

/**
 * Traces are exported when an OTLP endpoint is configured, as the OpenTelemetry SDK reads it
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), unless OTEL_SDK_DISABLED or
 * OTEL_TRACES_EXPORTER=none says otherwise. Unset: the SDK is not even loaded.
 */
export const tracingWanted = (env: Record<string, string | undefined>): boolean =>
  env.OTEL_SDK_DISABLED !== 'true' && env.OTEL_TRACES_EXPORTER !== 'none'
  && Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

/** The SDK, started when tracingWanted(); null (and the SDK never imported) otherwise. */
export async function startTracingIfWanted(serviceName: string, env: Record<string, string | undefined> = process.env): Promise<Tracing | null> {
  if (!tracingWanted(env)) return null;
  const { startTracing } = await import('./sdk.ts');
  return startTracing({ serviceName });
}
