import { Router } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { listAdminActions, streamAdminActions, type NamedAdminActionEntry } from '../../store/read/admin-actions.ts';
import { applicationNames } from '../../store/read/application-names.ts';
import { applicationStats } from '../../store/read/stats.ts';
import { authenticate, requireMaster } from '../auth.ts';
import { sendCsv } from '../csv.ts';
import { adminActionColumns } from '../exports.ts';
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

/** GET /admin-actions.csv: the audit log's filters, every match at once. */
export const adminActionsExportQuery = adminActionsQuery.omit({ limit: true, cursor: true });

function auditQuery<S extends typeof adminActionsExportQuery>(schema: S, raw: unknown): z.infer<S> {
  const query = parseParams(schema, raw, 'query');
  assertOrdered(query, 'from', 'to');
  return query;
}

/** MASTER-only views: the audit log and the counters. */
export function adminRoutes(deps: { db: Database; verifier: TokenVerifier; reviewDeadlineHours: number }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  router.route('/admin-actions').get(auth, requireMaster, async (req, res) => {
    const query = auditQuery(adminActionsQuery, req.query);
    const page = await listAdminActions(deps.db, query, { limit: query.limit, after: query.cursor });
    const names = await applicationNames(deps.db, page.items.map((action) => action.applicationId));
    sendPage(res, page, (action) => adminActionView(action, names.get(action.applicationId) ?? null), encodeIdCursor);
  }).all(GET_ONLY);

  router.route('/admin-actions.csv').get(auth, requireMaster, async (req, res) => {
    const query = auditQuery(adminActionsExportQuery, req.query);
    await streamAdminActions(deps.db, query, (entries) => sendCsv(res, 'admin-actions.csv', adminActionColumns, entries.map((entry: NamedAdminActionEntry) => adminActionView(entry, entry.applicationName))));
  }).all(GET_ONLY);

  router.route('/stats').get(auth, requireMaster, async (_req, res) => {
    res.json((await applicationStats(deps.db, deps.reviewDeadlineHours)) satisfies z.output<typeof statsSchema>);
  }).all(GET_ONLY);

  return router;
}
