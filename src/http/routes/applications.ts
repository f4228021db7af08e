import { Router, type Response } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { Database } from '../../store/db.ts';
import { actionsOfApplication } from '../../store/read/admin-actions.ts';
import { notesOf } from '../../store/read/reviewer-notes.ts';
import { applicationNames } from '../../store/read/application-names.ts';
import { applicantOf, findApplicationWithHistory, listApplications, streamApplicationSummaries } from '../../store/read/applications.ts';
import { assertCanSee, authenticate, principalOf, requireMaster, viewingFor } from '../auth.ts';
import { sendCsv } from '../csv.ts';
import { applicationColumns } from '../exports.ts';
import { encodeTimeCursor } from '../cursor.ts';
import {
  applicationKind, applicationPath, applicationStatus, assertOrdered, contentType, identifier, instant, limit, parseParams, registrationNumber, searchText, timeCursor,
} from '../params.ts';
import { forbidden, notFound } from '../problem.ts';
import {
  adminActionView, applicationView, applicationWithHistorySchema, eventView, reviewerNoteListSchema, reviewerNoteView,
} from '../views.ts';
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

/** GET /applications.csv: the list's filters, every match at once. */
export const applicationsExportQuery = applicationsQuery.omit({ limit: true, cursor: true });

/** An OWNER sees only its own applications: its own applicantId, or none given. */
function ownApplications(res: Response, applicantId: string | undefined): string | undefined {
  const principal = principalOf(res);
  if (principal.role !== 'OWNER') return applicantId;
  if (applicantId !== undefined && applicantId !== principal.subject) throw forbidden('An owner may list only its own applications.');
  return principal.subject;
}

export function applicationRoutes(deps: { db: Database; verifier: TokenVerifier; reviewDeadlineHours: number }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  router.route('/applications').get(auth, async (req, res) => {
    const query = parseParams(applicationsQuery, req.query, 'query');
    assertOrdered(query, 'submittedFrom', 'submittedTo');
    const page = await listApplications(deps.db, { ...query, applicantId: ownApplications(res, query.applicantId) }, { limit: query.limit, after: query.cursor });
    const viewing = viewingFor(res, deps.reviewDeadlineHours);
    sendPage(res, page, ({ application, name }) => applicationView(application, name, viewing), encodeTimeCursor);
  // POST (submit) is the command gateway's, mounted before this router.
  }).all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router.route('/applications.csv').get(auth, async (req, res) => {
    const query = parseParams(applicationsExportQuery, req.query, 'query');
    assertOrdered(query, 'submittedFrom', 'submittedTo');
    await streamApplicationSummaries(deps.db, { ...query, applicantId: ownApplications(res, query.applicantId) },
      (applications) => sendCsv(res, 'applications.csv', applicationColumns, applications));
  }).all(GET_ONLY);

  router.route('/applications/:id').get(auth, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const viewing = viewingFor(res, deps.reviewDeadlineHours);
    // The history comes in the same statement, and is dropped unseen when the application is not the caller's.
    const found = await findApplicationWithHistory(deps.db, id, viewing.reviewer);
    if (found === null) throw notFound(`Application ${id} does not exist.`);
    assertCanSee(principalOf(res), found.application.applicantId, 'application');
    res.json({ ...applicationView(found.application, found.name, viewing), history: found.history.map(eventView) } satisfies z.output<typeof applicationWithHistorySchema>);
  }).all(GET_ONLY);

  router.route('/applications/:id/actions').get(auth, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const applicantId = await applicantOf(deps.db, id);
    if (applicantId === null) throw notFound(`Application ${id} does not exist.`);
    assertCanSee(principalOf(res), applicantId, 'application');
    const reviewer = principalOf(res).role === 'MASTER';
    const [actions, names] = await Promise.all([actionsOfApplication(deps.db, id, reviewer), applicationNames(deps.db, [id])]);
    res.json({ items: actions.map((action) => adminActionView(action, names.get(id) ?? null)) });
  }).all(GET_ONLY);

  // The reviewers' notes: MASTER only, so an owner hears 403 before anything about the application.
  router.route('/applications/:id/notes').get(auth, requireMaster, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    if (await applicantOf(deps.db, id) === null) throw notFound(`Application ${id} does not exist.`);
    const notes = await notesOf(deps.db, id);
    res.json({ items: notes.map(reviewerNoteView) } satisfies z.output<typeof reviewerNoteListSchema>);
  // POST (add a note) is the command gateway's, mounted before this router.
  }).all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  return router;
}
