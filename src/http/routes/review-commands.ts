import type { Request, RequestHandler, Response, Router } from 'express';
import type { CommandInput } from '../../client/command-sender.ts';
import { checkReviewerNote } from '../../processors/decider/validate.ts';
import { requireMaster } from '../auth.ts';
import { fieldProblems, reviewClaimBody, reviewerNoteBody, reviewReleaseBody } from '../command-bodies.ts';
import { applicationPath, parseParams } from '../params.ts';
import { invalidFields } from '../problem.ts';
import { bodyOf, tokenOf } from './commands.ts';
import { methodNotAllowed } from './shared.ts';

export interface ReviewGateway {
  auth: RequestHandler;
  json: RequestHandler;
  accept(req: Request, res: Response, input: CommandInput, request: unknown): Promise<void>;
}

/**
 * The reviewers' own commands, MASTER only, each carrying the caller's token as adminToken like
 * a decision: claim (or take over) and release an application for review, and write a note. The
 * processor judges who holds what; the gateway only checks shape and authority.
 */
export function reviewCommandRoutes(router: Router, gateway: ReviewGateway): void {
  const { auth, json, accept } = gateway;

  router.route('/applications/:id/review-claim')
    .post(auth, requireMaster, json, async (req, res) => {
      const { id } = parseParams(applicationPath, req.params, 'path');
      const body = bodyOf(reviewClaimBody, req, true);
      await accept(req, res, { type: 'ClaimReview', applicationId: id, adminToken: tokenOf(req), takeOver: body.takeOver }, { route: 'review-claim', id, body });
    })
    .delete(auth, requireMaster, json, async (req, res) => {
      const { id } = parseParams(applicationPath, req.params, 'path');
      bodyOf(reviewReleaseBody, req, true);
      await accept(req, res, { type: 'ReleaseReview', applicationId: id, adminToken: tokenOf(req) }, { route: 'review-release', id });
    })
    .all(methodNotAllowed(['POST', 'DELETE']));

  // GET (the notes) is the read API's.
  router.route('/applications/:id/notes').post(auth, requireMaster, json, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const body = bodyOf(reviewerNoteBody, req);
    const text = checkReviewerNote(body.text);
    if (!text.ok) throw invalidFields(fieldProblems([text.problem]));
    await accept(req, res, { type: 'AddReviewerNote', applicationId: id, adminToken: tokenOf(req), text: text.reason }, { route: 'note', id, body: { text: text.reason } });
  });
}
