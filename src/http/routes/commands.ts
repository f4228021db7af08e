import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../../auth/tokens.ts';
import type { CommandInput } from '../../client/command-sender.ts';
import {
  checkRejectionReason, validateDetails, validateNote, validateSubmission,
} from '../../processors/decider/validate.ts';
import { changeFitsListing } from '../../processors/decider/registration-data.ts';
import type { ApplicationDetails, Listing } from '../../domain/types.ts';
import { REVIEW_COMMAND_TYPES } from '../../domain/values.ts';
import { findGatewayCommand } from '../../store/gateway-commands.ts';
import { findApplication } from '../../store/read/applications.ts';
import { deadLetterOfCommand, outcomeOfCommand } from '../../store/read/command-outcomes.ts';
import { findListing } from '../../store/read/listings.ts';
import { assertCanSee, authenticate, canSee, principalOf, requireMaster, requireOwner } from '../auth.ts';
import {
  amendBody, approveBody, fieldProblems, rejectBody, shapeProblems, submitBody, withdrawBody, type FieldProblem,
} from '../command-bodies.ts';
import { produceOnce, type GatewayDeps } from '../command-gateway.ts';
import { commandAcceptedSchema, commandStatusView } from '../command-status.ts';
import { approval, rejection } from '../decisions.ts';
import { applicationPath, parseParams, uuid } from '../params.ts';
import { forbidden, invalidFields, notFound } from '../problem.ts';
import { reviewCommandRoutes } from './review-commands.ts';
import { GET_ONLY, methodNotAllowed } from './shared.ts';

export const commandPath = z.object({ commandId: uuid.describe('Command id (the Idempotency-Key).') });
export const commandHeaders = z.object({
  'Idempotency-Key': uuid.optional().describe('Becomes the commandId; a retried POST with it sends nothing new.'),
});
const POST_ONLY = methodNotAllowed(['POST']);

/**
 * The body as `schema` reads it, or a 400 naming every field that is not the shape it should be.
 * `optional`: a route whose fields all have defaults also takes no body at all.
 */
export function bodyOf<S extends z.ZodType>(schema: S, req: Request, optional = false): z.output<S> {
  const body: unknown = req.body === undefined && optional ? {} : req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidFields([{ path: 'body', message: 'must be a JSON object (Content-Type: application/json)' }]);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidFields(shapeProblems(parsed.error));
  return parsed.data;
}

export const refuseProblems = (problems: FieldProblem[]) => {
  if (problems.length > 0) throw invalidFields(problems);
};

/** The Idempotency-Key becomes the commandId, so it must be what a commandId is: a UUID. */
function commandIdOf(req: Request): string {
  const parsed = commandHeaders.safeParse({ 'Idempotency-Key': req.get('Idempotency-Key') });
  if (!parsed.success) throw invalidFields(parsed.error.issues.map((issue) => ({ path: 'Idempotency-Key', message: `header ${issue.message}` })));
  return parsed.data['Idempotency-Key'] ?? randomUUID();
}

/**
 * The command gateway: JSON in, an Avro ApplicationCommand out on the command topic, 202 once the
 * broker acknowledged it. It checks shape and content so a form hears every broken field at once,
 * and who may send what, but judges nothing else: the processor decides, and a decision carries
 * the caller's own token as adminToken so the processor verifies authority itself.
 */
export function commandRoutes(deps: GatewayDeps & { verifier: TokenVerifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);
  const json = express.json({ limit: '256kb', strict: true });

  async function accept(req: Request, res: Response, input: CommandInput, request: unknown) {
    const principal = principalOf(res);
    const commandId = commandIdOf(req);
    const accepted = await produceOnce(deps, { commandId, requestedBy: principal.subject, request, input });
    res.status(202).location(`/commands/${accepted.commandId}`).json({ ...accepted, status: 'PENDING' } satisfies z.output<typeof commandAcceptedSchema>);
  }

  /** A change the listing it is for cannot take (a ticket window past its run), as the processor would refuse it. */
  async function refuseMisfit(details: ApplicationDetails, listing: Listing | null) {
    if (details.type === 'INFO_CHANGE' && listing !== null) refuseProblems(fieldProblems(changeFitsListing(details, listing)));
  }

  /** An owner acts on its own applications only; one the read side does not know yet is the processor's to judge. */
  async function ownApplication(res: Response, id: string) {
    const application = await findApplication(deps.db, id);
    if (application !== null) assertCanSee(principalOf(res), application.applicantId, 'application');
    return application;
  }

  router.route('/applications').post(auth, requireOwner, json, async (req, res) => {
    const body = bodyOf(submitBody, req);
    const applicantId = principalOf(res).subject;
    const submission = { applicantId, kind: body.kind, listingId: body.listingId, contentType: body.contentType, details: body.details };
    refuseProblems(fieldProblems(validateSubmission(submission)));
    if (body.listingId !== null) {
      const listing = await findListing(deps.db, body.listingId);
      if (listing !== null && listing.ownerId !== applicantId) throw forbidden('This listing belongs to another owner.');
      await refuseMisfit(body.details, listing);
    }
    await accept(req, res, { type: 'SubmitApplication', applicationId: body.applicationId ?? randomUUID(), ...submission }, { route: 'submit', body });
  });

  router.route('/applications/:id/amend').post(auth, requireOwner, json, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const body = bodyOf(amendBody, req);
    const application = await ownApplication(res, id);
    // One the read side does not know yet is checked against what its details say it is: what
    // is sent must at least be a valid command.
    const context = application ?? {
      kind: body.details.type === 'LISTING' ? 'NEW_LISTING' as const : 'INFO_CHANGE' as const,
      // An INFO_CHANGE's rules do not depend on the content type.
      contentType: body.details.type === 'LISTING' ? body.details.specific.type : 'RESTAURANT' as const,
    };
    refuseProblems(fieldProblems(validateDetails(body.details, context)));
    if (application?.listingId != null) await refuseMisfit(body.details, await findListing(deps.db, application.listingId));
    await accept(req, res, { type: 'AmendApplication', applicationId: id, applicantId: principalOf(res).subject, details: body.details }, { route: 'amend', id, body });
  }).all(POST_ONLY);

  router.route('/applications/:id/withdraw').post(auth, requireOwner, json, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    bodyOf(withdrawBody, req, true);
    await ownApplication(res, id);
    await accept(req, res, { type: 'WithdrawApplication', applicationId: id, applicantId: principalOf(res).subject }, { route: 'withdraw', id });
  }).all(POST_ONLY);

  router.route('/applications/:id/approve').post(auth, requireMaster, json, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const body = bodyOf(approveBody, req, true);
    refuseProblems(fieldProblems(validateNote(body.note)));
    const { input, request } = approval(id, tokenOf(req), body.note);
    await accept(req, res, input, request);
  }).all(POST_ONLY);

  router.route('/applications/:id/reject').post(auth, requireMaster, json, async (req, res) => {
    const { id } = parseParams(applicationPath, req.params, 'path');
    const body = bodyOf(rejectBody, req);
    const reason = checkRejectionReason(body.reason);
    if (!reason.ok) throw invalidFields(fieldProblems([reason.problem]));
    const { input, request } = rejection(id, tokenOf(req), reason.reason);
    await accept(req, res, input, request);
  }).all(POST_ONLY);

  reviewCommandRoutes(router, { auth, json, accept });

  router.route('/commands/:commandId').get(auth, async (req, res) => {
    const { commandId } = parseParams(commandPath, req.params, 'path');
    const [outcome, sent] = await Promise.all([outcomeOfCommand(deps.db, commandId), findGatewayCommand(deps.db, commandId)]);
    // Only what the gateway sent can be matched to a dead letter.
    const deadLetter = outcome === null && sent !== null ? await deadLetterOfCommand(deps.db, commandId) : null;
    // A command the broker never acknowledged does not exist, unless it arrived anyway and was applied or dead-lettered.
    if (outcome === null && deadLetter === null && (sent === null || !sent.sent)) throw notFound(`No command ${commandId} was sent.`);
    const principal = principalOf(res);
    // The reviewers' own commands concern an owner's application but are not the owner's to read.
    const reviewersOwn = (REVIEW_COMMAND_TYPES as readonly string[]).includes(outcome?.commandType ?? sent?.commandType ?? '');
    const mine = (sent !== null && sent.requestedBy === principal.subject)
      || (outcome?.applicantId != null && !reviewersOwn && canSee(principal, outcome.applicantId));
    if (principal.role !== 'MASTER' && !mine) throw forbidden('This command belongs to another caller.');
    res.json(commandStatusView(commandId, outcome, sent, deadLetter));
  }).all(GET_ONLY);

  return router;
}

/** The caller's own bearer token, already verified by authenticate(): it travels as the command's adminToken. */
export const tokenOf = (req: Request) => req.get('Authorization')!.trim().split(/[ ]+/)[1]!;
