import { Router } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { actionsOfApplication } from '../../store/read/admin-actions.ts';
import { historyOf } from '../../store/read/application-events.ts';
import { applicantOf, findApplication, listApplications } from '../../store/read/applications.ts';
import { assertCanSee, authenticate, principalOf } from '../auth.ts';
import { encodeTimeCursor } from '../cursor.ts';
import {
  applicationKind, applicationPath, applicationStatus, assertOrdered, contentType, identifier, instant, limit, parseParams, registrationNumber, searchText, timeCursor,
} from '../params.ts';
import { forbidden, notFound } from '../problem.ts';
import { adminActionView, applicationView, applicationWithHistorySchema, eventView } from '../views.ts';
import { GET_ONLY, methodNotAllowed, sendPage } from './shared.ts';

/** The filters of an owner's list and of GET /applications; each field is a query parameter, documented in /openapi.json as written here. */
export const applicationListQuery = z.object({
  status: applicationStatus.optional().describe('Only applications in this state.'),
  contentType: contentType.optional().describe('Only this content type.'),
  kind: applicationKind.optional().describe('Only this kind.'),
  limit,
  cursor: timeCursor,
});

export const applicationsQuery = applicationListQuery.extend({
  applicantId: identifier.optional().describe('Only this applicant\'s; an OWNER may give only its own id.'),
  q: searchText.optional().describe('Business name (for an INFO_CHANGE, its listing\'s name) or representative\'s name contains this, case-insensitive; `%` and `_` are literal.'),
  registrationNumber: registrationNumber.optional().describe('Business registration number, 10 digits with or without dashes.'),
  submittedFrom: instant.optional().describe('Inclusive lower bound on `createdAt` (ISO 8601 with offset).'),
  submittedTo: instant.optional().describe('Exclusive upper bound on `createdAt` (ISO 8601 with offset).'),
});

export function applicationRoutes(deps: { db: Database; verifier: TokenVerifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  router.route('/applications').get(auth, async (req, res) => {
    const query = parseParams(applicationsQuery, req.query, 'query');
    assertOrdered(query, 'submittedFrom', 'submittedTo');
    const principal = principalOf(res);
    let applicantId = query.applicantId;
    if (principal.role === 'OWNER') {
      if (applicantId !== undefined && applicantId !== principal.subject) throw forbidden('An owner may list only its own applications.');
      applicantId = principal.subject;
    }
    const page = await listApplications(deps.db, { ...query, applicantId }, { limit: query.limit, after: query.cursor });
    sendPage(res, page, applicationView, encodeTimeCursor);
  // POST (submit) is the command gateway's, mounted before this router.
  }).all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router.route('/applications/:id').get(auth, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const application = await findApplication(deps.db, id);
    if (application === null) throw notFound(`Application ${id} does not exist.`);
    assertCanSee(principalOf(res), application.applicantId, 'application');
    const history = await historyOf(deps.db, id);
    res.json({ ...applicationView(application), history: history.map(eventView) } satisfies z.output<typeof applicationWithHistorySchema>);
  }).all(GET_ONLY);

  router.route('/applications/:id/actions').get(auth, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const applicantId = await applicantOf(deps.db, id);
    if (applicantId === null) throw notFound(`Application ${id} does not exist.`);
    assertCanSee(principalOf(res), applicantId, 'application');
    const actions = await actionsOfApplication(deps.db, id);
    res.json({ items: actions.map(adminActionView) });
  }).all(GET_ONLY);

  return router;
}
