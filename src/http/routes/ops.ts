import { Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';
import { GET_ONLY } from './shared.ts';

export type Readiness = () => Promise<{ ready: boolean; checks: Record<string, boolean | string> }>;

export const healthSchema = z.strictObject({ status: z.literal('ok') }).meta({ id: 'Health' });
export const readinessSchema = z.strictObject({
  status: z.enum(['ready', 'not ready']),
  checks: z.record(z.string(), z.union([z.boolean(), z.string()]))
    .describe('database, brokerAnswering (the broker answered the consumer within its session timeout), consumerJoined, stalledStep.'),
}).meta({ id: 'Readiness' });

/** Liveness, readiness and Prometheus metrics: no token, for probes and scrapers. */
export function opsRoutes(deps: { metrics: Metrics; readiness: Readiness; logger: Logger }): Router {
  const router = Router();

  router.route('/healthz').get((_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' } satisfies z.output<typeof healthSchema>);
  }).all(GET_ONLY);

  router.route('/readyz').get(async (_req, res) => {
    let result: Awaited<ReturnType<Readiness>>;
    try {
      result = await deps.readiness();
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check failed');
      result = { ready: false, checks: { readiness: 'check failed' } };
    }
    res.status(result.ready ? 200 : 503).set('Cache-Control', 'no-store')
      .json({ status: result.ready ? 'ready' : 'not ready', checks: result.checks } satisfies z.output<typeof readinessSchema>);
  }).all(GET_ONLY);

  router.route('/metrics').get(async (_req, res) => {
    const text = await deps.metrics.registry.metrics();
    res.set('Content-Type', deps.metrics.registry.contentType).set('Cache-Control', 'no-store').send(text);
  }).all(GET_ONLY);

  return router;
}
