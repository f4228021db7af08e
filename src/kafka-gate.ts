import type { Server } from 'node:http';
import express from 'express';
import { Kafka, logLevel } from 'kafkajs';
import type { ServiceConfig } from './config.ts';
import { kafkaConnection } from './kafka.ts';
import { kafkaRefusal, type ClientFailure } from './kafka-refusal.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { listen } from './http/listen.ts';
import { opsRoutes } from './http/routes/ops.ts';
import { sendProblem } from './http/problem.ts';

/** kafkajs wraps the socket's or the broker's answer in retry errors; the innermost one says what happened. */
function innermost(error: unknown): ClientFailure {
  let current = error as ClientFailure & { originalError?: unknown; cause?: unknown };
  while (current.originalError ?? current.cause) current = (current.originalError ?? current.cause) as typeof current;
  return current;
}

/** One metadata round trip with the service's own settings (a blip at start is retried twice, briefly): null when it answered. */
async function probe(config: ServiceConfig): Promise<string | null> {
  const admin = new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}-probe`, brokers: config.KAFKA_BROKERS, ...kafkaConnection(config),
    logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 }, connectionTimeout: 3000, requestTimeout: 5000,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return null;
  } catch (error) {
    return kafkaRefusal(innermost(error), config);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** While Kafka refuses, the port answers /healthz, /metrics and a /readyz that says why; every other route 503. */
function waitingApp(deps: { metrics: Metrics; logger: Logger; reason: () => string }) {
  const app = express();
  app.use(opsRoutes({ metrics: deps.metrics, logger: deps.logger, readiness: async () => ({ ready: false, checks: { kafka: deps.reason() } }) }));
  app.use((req, res) => sendProblem(req, res, 'service-unavailable', deps.reason(), { 'Retry-After': '5' }));
  return app;
}

/**
 * Resolves once Kafka answers the service's connection. A refusal (wrong credentials, an
 * untrusted certificate, a plaintext client on a TLS listener, no broker at all) is logged once,
 * in one line, and again only when the reason changes; meanwhile the HTTP port is served by a
 * waiting app, so that /readyz says why instead of the process exiting into a restart loop.
 * Returns the port the waiting app held (the service takes it over), or null if none was needed.
 */
export async function untilKafkaAnswers(config: ServiceConfig, deps: { metrics: Metrics; logger: Logger }): Promise<number | null> {
  let reason = await probe(config);
  if (reason === null) return null;
  deps.logger.error({ dependency: 'kafka' }, reason);
  const server: Server = await listen(waitingApp({ ...deps, reason: () => reason! }), config.HTTP_PORT, config.HTTP_HOST);
  const port = (server.address() as { port: number }).port;
  for (let delayMs = 1000; reason !== null; delayMs = Math.min(delayMs * 2, 10_000)) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const next = await probe(config);
    if (next !== null && next !== reason) deps.logger.error({ dependency: 'kafka' }, next);
    reason = next;
  }
  deps.logger.info({ dependency: 'kafka' }, 'Kafka answers; starting');
  await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return port;
}
