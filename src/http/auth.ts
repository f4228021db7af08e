import type { RequestHandler, Response } from 'express';
import type { Principal, TokenVerifier } from '../auth/tokens.ts';
import { forbidden, HttpProblem } from './problem.ts';

/** Longer than any token our issuer signs by a wide margin; longer ones are refused unread. */
const MAX_TOKEN_LENGTH = 8192;
/** RFC 6750 b64token; the scheme is case-insensitive. */
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i;

const PRINCIPAL = Symbol('principal');

const unauthorized = (detail: string, invalidToken: boolean) =>
  new HttpProblem('unauthorized', detail, { 'WWW-Authenticate': invalidToken ? 'Bearer error="invalid_token"' : 'Bearer' });

/**
 * Verifies `Authorization: Bearer <jwt>` at the current time and remembers the principal for
 * the handlers. Missing or unusable credentials are a 401 with a Bearer challenge.
 */
export function authenticate(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') throw unauthorized('A bearer token is required.', false);
    const match = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header) : null;
    if (match === null || match[1] === undefined) throw unauthorized('The Authorization header must be "Bearer <token>".', true);
    const verdict = await verifier.verify(match[1], new Date());
    if (!verdict.ok) throw unauthorized('The bearer token is invalid or expired.', true);
    (res.locals as Record<symbol, Principal>)[PRINCIPAL] = verdict.principal;
    next();
  };
}

/** The principal `authenticate` admitted; only valid in handlers mounted after it. */
export function principalOf(res: Response): Principal {
  const principal = (res.locals as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (principal === undefined) throw new Error('principalOf: route is not behind authenticate()');
  return principal;
}

export const requireMaster: RequestHandler = (_req, res, next) => {
  if (principalOf(res).role !== 'MASTER') throw forbidden('Only a MASTER admin may read this resource.');
  next();
};

/** Commands on one's own applications: the applicant is the token's subject, so only an OWNER sends them. */
export const requireOwner: RequestHandler = (_req, res, next) => {
  if (principalOf(res).role !== 'OWNER') throw forbidden('Only an OWNER may apply, amend or withdraw; the applicant is the token\'s subject.');
  next();
};

/** MASTER sees everything; an OWNER only what belongs to its own subject. */
export const canSee = (principal: Principal, ownerId: string) => principal.role === 'MASTER' || principal.subject === ownerId;

export function assertCanSee(principal: Principal, ownerId: string, what: string): void {
  if (!canSee(principal, ownerId)) throw forbidden(`This ${what} belongs to another owner.`);
}

/** How an application is shown to the caller: a MASTER also sees who holds it for review. */
export const viewingFor = (res: Response, reviewDeadlineHours: number) =>
  ({ reviewDeadlineHours, reviewer: principalOf(res).role === 'MASTER', now: Date.now() });
