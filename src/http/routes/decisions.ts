import express, { Router } from 'express';
import type { TokenVerifier } from '../../auth/tokens.ts';
import { authenticate, principalOf, requireMaster } from '../auth.ts';
import { MAX_DECISIONS } from '../../domain/values.ts';
import { produceAll, type GatewayDeps } from '../command-gateway.ts';
import { decisionsEnvelope, readDecisions, refused, type DecisionResult } from '../decisions.ts';
import { HttpProblem } from '../problem.ts';
import { bodyOf, tokenOf } from './commands.ts';
import { methodNotAllowed } from './shared.ts';

const tooMany = (count: number) => new HttpProblem('invalid-request', `decisions: must have at most ${MAX_DECISIONS} decisions (got ${count}); nothing was sent.`, {}, {
  code: 'TOO_MANY_DECISIONS', errors: [{ path: 'decisions', message: `must have at most ${MAX_DECISIONS} decisions` }],
});

/**
 * POST /decisions: up to MAX_DECISIONS approvals and rejections in one request, each its own
 * command under its own idempotency key, answered per item in request order. A broken item
 * refuses only itself; the others are produced together and reported ACCEPTED only once the broker
 * acknowledged them. A retry with the same keys sends nothing new (see produceAll).
 */
export function decisionRoutes(deps: GatewayDeps & { verifier: TokenVerifier }): Router {
  const router = Router();
  // A hundred rejections, each with a reason of up to 1000 Korean characters, fit.
  const json = express.json({ limit: '1mb', strict: true });

  router.route('/decisions').post(authenticate(deps.verifier), requireMaster, json, async (req, res) => {
    const listed: unknown = (req.body as { decisions?: unknown } | undefined)?.decisions;
    if (Array.isArray(listed) && listed.length > MAX_DECISIONS) throw tooMany(listed.length);
    const { decisions } = bodyOf(decisionsEnvelope, req);
    const read = readDecisions(decisions, tokenOf(req));
    const ready = read.flatMap((item) => (item.ok ? [item.decision] : []));
    const requestedBy = principalOf(res).subject;
    const produced = new Map((await produceAll(deps, ready.map(({ idempotencyKey, request, input }) => ({ commandId: idempotencyKey, requestedBy, request, input }))))
      .map((outcome) => [outcome.commandId, outcome]));
    const results = read.map((item, index): DecisionResult => {
      if (!item.ok) return item.result;
      const { applicationId, idempotencyKey } = item.decision;
      const outcome = produced.get(idempotencyKey)!;
      if (!outcome.ok) return refused(decisions[index], outcome.code, outcome.message);
      return { status: 'ACCEPTED', applicationId, idempotencyKey, commandId: outcome.commandId, location: `/commands/${outcome.commandId}` };
    });
    if (results.some((result) => result.status === 'REFUSED' && result.code === 'BROKER_UNAVAILABLE')) res.set('Retry-After', '5');
    res.status(200).json({ results });
  }).all(methodNotAllowed(['POST']));

  return router;
}
