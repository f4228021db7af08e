import { Router } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { listAdminActions } from '../../store/read/admin-actions.ts';
import { applicationStats } from '../../store/read/stats.ts';
import { authenticate, requireMaster } from '../auth.ts';
import { encodeIdCursor } from '../cursor.ts';
import { adminAction, assertOrdered, identifier, idCursor, instant, limit, parseParams, uuid } from '../params.ts';
import { adminActionView, statsSchema } from '../views.ts';
import { GET_ONLY, sendPage } from './shared.ts';

export const adminActionsQuery = z.object({
  adminId: identifier.optional().describe('Only decisions of this admin.'),
  action: adminAction.optional().describe('Only this action.'),
  applicationId: uuid.optional().describe('Only decisions on this application.'),
  from: instant.optional().describe('Inclusive lower bound on `at` (ISO 8601 with offset).'),
  to: instant.optional().describe('Exclusive upper bound on `at` (ISO 8601 with offset).'),
  limit,
  cursor: idCursor,
});

/** MASTER-only views: the audit log and the counters. */
export function adminRoutes(deps: { db: Database; verifier: TokenVerifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  router.route('/admin-actions').get(auth, requireMaster, async (req, res) => {
    const query = parseParams(adminActionsQuery, req.query, 'query');
    assertOrdered(query, 'from', 'to');
    const page = await listAdminActions(deps.db, query, { limit: query.limit, after: query.cursor });
    sendPage(res, page, adminActionView, encodeIdCursor);
  }).all(GET_ONLY);

  router.route('/stats').get(auth, requireMaster, async (_req, res) => {
    res.json((await applicationStats(deps.db)) satisfies z.output<typeof statsSchema>);
  }).all(GET_ONLY);

  return router;
}
