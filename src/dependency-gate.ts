import type { Server } from 'node:http';
import express from 'express';
import { Kafka, logLevel } from 'kafkajs';
import type { ServiceConfig } from './config.ts';
import { kafkaConnection } from './kafka.ts';
import { innermost, kafkaRefusal } from './kafka-refusal.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { listen } from './http/listen.ts';
import { opsRoutes } from './http/routes/ops.ts';
import { sendProblem } from './http/problem.ts';
import { probeRegistry } from './schemas/registry-probe.ts';
import { registryAccess } from './schemas/serde.ts';

/** One metadata round trip with the service's own settings (a blip at start is retried twice, briefly): null when it answered. */
async function probeKafka(config: ServiceConfig): Promise<string | null> {
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

type Reasons = Partial<Record<'kafka' | 'registry', string>>;

async function probe(config: ServiceConfig): Promise<Reasons> {
  const [kafka, registry] = await Promise.all([probeKafka(config), probeRegistry(config.SCHEMA_REGISTRY_URL, registryAccess(config))]);
  return { ...(kafka === null ? {} : { kafka }), ...(registry === null ? {} : { registry }) };
}

/** While a dependency refuses, the port answers /healthz, /metrics and a /readyz that says why; every other route 503. */
function waitingApp(deps: { metrics: Metrics; logger: Logger; reasons: () => Reasons }) {
  const app = express();
  app.use(opsRoutes({ metrics: deps.metrics, logger: deps.logger, readiness: async () => ({ ready: false, checks: deps.reasons() }) }));
  app.use((req, res) => sendProblem(req, res, 'service-unavailable', Object.values(deps.reasons()).join('; '), { 'Retry-After': '5' }));
  return app;
}

/**
 * Resolves once Kafka and the schema registry answer the service's connections. A refusal (wrong
 * credentials, an untrusted certificate, a plaintext client on a TLS listener, nothing at the
 * address) is logged once, in one line per dependency, and again only when its reason changes;
 * meanwhile the HTTP port is served by a waiting app, so that /readyz says why instead of the
 * process exiting into a restart loop. Returns the port the waiting app held (the service takes
 * it over), or null if none was needed.
 */
export async function untilDependenciesAnswer(config: ServiceConfig, deps: { metrics: Metrics; logger: Logger }): Promise<number | null> {
  let reasons = await probe(config);
  if (Object.keys(reasons).length === 0) return null;
  for (const [dependency, reason] of Object.entries(reasons)) deps.logger.error({ dependency }, reason);
  const server: Server = await listen(waitingApp({ ...deps, reasons: () => reasons }), config.HTTP_PORT, config.HTTP_HOST);
  const port = (server.address() as { port: number }).port;
  for (let delayMs = 1000, attempt = 2; Object.keys(reasons).length > 0; delayMs = Math.min(delayMs * 2, 10_000), attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const next = await probe(config);
    deps.logger.debug({ attempt, refusing: Object.keys(next) }, 'dependencies probed again');
    for (const [dependency, reason] of Object.entries(next)) {
      if (reasons[dependency as keyof Reasons] !== reason) deps.logger.error({ dependency }, reason);
    }
    reasons = next;
  }
  deps.logger.info('Kafka and the schema registry answer; starting');
  await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  return port;
}
