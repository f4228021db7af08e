import { Router, type Response } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { actionsOfApplication } from '../../store/read/admin-actions.ts';
import { historyOf } from '../../store/read/application-events.ts';
import { applicantOf, findApplication, listApplications, streamApplicationSummaries } from '../../store/read/applications.ts';
import { assertCanSee, authenticate, principalOf } from '../auth.ts';
import { sendCsv } from '../csv.ts';
import { applicationColumns } from '../exports.ts';
import { encodeTimeCursor } from '../cursor.ts';
import { applicationKind, applicationStatus, contentType, identifier, limit, parseParams, timeCursor, uuid } from '../params.ts';
import { forbidden, notFound } from '../problem.ts';
import { adminActionView, applicationView, eventView } from '../views.ts';
import { GET_ONLY, methodNotAllowed, sendPage } from './shared.ts';

export const applicationListQuery = z.object({
  status: applicationStatus.optional(),
  contentType: contentType.optional(),
  kind: applicationKind.optional(),
  limit,
  cursor: timeCursor,
});

const listQuery = applicationListQuery.extend({ applicantId: identifier.optional() });
const exportQuery = listQuery.omit({ limit: true, cursor: true });
const idParams = z.object({ id: uuid });

/** An OWNER sees only its own applications: its own applicantId, or none given. */
function ownApplications(res: Response, applicantId: string | undefined): string | undefined {
  const principal = principalOf(res);
  if (principal.role !== 'OWNER') return applicantId;
  if (applicantId !== undefined && applicantId !== principal.subject) throw forbidden('An owner may list only its own applications.');
  return principal.subject;
}

export function applicationRoutes(deps: { db: Database; verifier: TokenVerifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  router.route('/applications').get(auth, async (req, res) => {
    const query = parseParams(listQuery, req.query, 'query');
    const page = await listApplications(deps.db, { ...query, applicantId: ownApplications(res, query.applicantId) }, { limit: query.limit, after: query.cursor });
    sendPage(res, page, applicationView, encodeTimeCursor);
  // POST (submit) is the command gateway's, mounted before this router.
  }).all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router.route('/applications.csv').get(auth, async (req, res) => {
    const query = parseParams(exportQuery, req.query, 'query');
    await streamApplicationSummaries(deps.db, { ...query, applicantId: ownApplications(res, query.applicantId) },
      (applications) => sendCsv(res, 'applications.csv', applicationColumns, applications));
  }).all(GET_ONLY);

  router.route('/applications/:id').get(auth, async (req, res) => {
    const { id } = parseParams(idParams, req.params, 'path');
    const application = await findApplication(deps.db, id);
    if (application === null) throw notFound(`Application ${id} does not exist.`);
    assertCanSee(principalOf(res), application.applicantId, 'application');
    const history = await historyOf(deps.db, id);
    res.json({ ...applicationView(application), history: history.map(eventView) });
  }).all(GET_ONLY);

  router.route('/applications/:id/actions').get(auth, async (req, res) => {
    const { id } = parseParams(idParams, req.params, 'path');
    const applicantId = await applicantOf(deps.db, id);
    if (applicantId === null) throw notFound(`Application ${id} does not exist.`);
    assertCanSee(principalOf(res), applicantId, 'application');
    const actions = await actionsOfApplication(deps.db, id);
    res.json({ items: actions.map(adminActionView) });
  }).all(GET_ONLY);

  return router;
}
