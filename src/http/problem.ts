import type { ErrorRequestHandler, Request, Response } from 'express';
import { ConnectionError, StatementTimeoutError, BackendTerminatedError } from 'slonik';
import { z } from 'zod';
import { REJECTION_CODES } from '../domain/values.ts';
import type { Logger } from '../logger.ts';

/** RFC 9457 problem details. `type` is stable: clients may switch on it. */
export const problemSchema = z.strictObject({
  type: z.string().meta({ format: 'uri', examples: ['https://backoffice.example/problems/not-found'] }),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string(),
  instance: z.string().optional().describe('The request path.'),
  errors: z.array(z.strictObject({
    path: z.string().describe('As the rules name it: details.contact.phone, details.businessHours[2].hours.closesAt, reason, Idempotency-Key.'),
    message: z.string(),
  })).optional().describe('Every broken field of a request body (command gateway), for forms to show next to the field.'),
  code: z.enum([...REJECTION_CODES, 'TOO_MANY_DECISIONS']).optional()
    .describe('The processor\'s rejection code this refusal stands for, or TOO_MANY_DECISIONS for a POST /decisions of more than it takes.'),
}).meta({ id: 'Problem', description: 'RFC 9457 problem details. `type` is stable: clients may switch on it.' });
export type ProblemBody = z.output<typeof problemSchema>;

type Extensions = Pick<ProblemBody, 'errors' | 'code'>;

export const PROBLEM_TYPE_BASE = 'https://backoffice.example/problems/';

const KINDS = {
  'invalid-request': { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency key reused' },
  'service-unavailable': { status: 503, title: 'Service unavailable' },
  'internal-error': { status: 500, title: 'Internal server error' },
} as const;

export type ProblemKind = keyof typeof KINDS;

export const problemType = (kind: ProblemKind) => `${PROBLEM_TYPE_BASE}${kind}`;

/** Thrown (or passed to next) by handlers; the error handler turns it into a response. */
export class HttpProblem extends Error {
  readonly kind: ProblemKind;
  readonly detail: string;
  readonly headers: Record<string, string>;
  readonly extensions: Extensions;

  constructor(kind: ProblemKind, detail: string, headers: Record<string, string> = {}, extensions: Extensions = {}) {
    super(`${KINDS[kind].title}: ${detail}`);
    this.name = 'HttpProblem';
    this.kind = kind;
    this.detail = detail;
    this.headers = headers;
    this.extensions = extensions;
  }

  get status(): number {
    return KINDS[this.kind].status;
  }
}

export const badRequest = (detail: string) => new HttpProblem('invalid-request', detail);
export const forbidden = (detail: string) => new HttpProblem('forbidden', detail);
export const notFound = (detail: string) => new HttpProblem('not-found', detail);

/** A body with broken fields: the detail lists them all, `errors` gives them one by one. */
export const invalidFields = (errors: { path: string; message: string }[]) =>
  new HttpProblem('invalid-request', `${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, {}, { errors });

/** The request path without the query string, bounded so a huge URL does not echo back whole. */
const instanceOf = (req: Request) => {
  const path = req.originalUrl.split('?')[0] ?? '/';
  return path.length > 512 ? `${path.slice(0, 512)}…` : path;
};

export function sendProblem(req: Request, res: Response, kind: ProblemKind, detail: string, headers: Record<string, string> = {}, extensions: Extensions = {}): void {
  const { status, title } = KINDS[kind];
  const body: ProblemBody = { type: problemType(kind), title, status, detail, instance: instanceOf(req), ...extensions };
  res.status(status).set(headers).set('Content-Type', 'application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

/** What express or a body-less client error carries: `status`/`statusCode` and `expose`. */
const clientErrorStatus = (error: unknown): number | null => {
  if (typeof error !== 'object' || error === null) return null;
  const candidate = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === 'number' && candidate >= 400 && candidate < 500 ? candidate : null;
};

const isDatabaseUnavailable = (error: unknown) =>
  error instanceof ConnectionError || error instanceof BackendTerminatedError || error instanceof StatementTimeoutError;

/** What express.json() says of a command body it could not read, by its error `type`. */
const BODY_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'The body is not valid JSON.',
  'entity.too.large': 'The body is larger than the route takes (256 KiB; 1 MiB for POST /decisions).',
  'encoding.unsupported': 'The body must be UTF-8 JSON.',
  'charset.unsupported': 'The body must be UTF-8 JSON.',
};

/**
 * The last middleware: known problems as they are, client errors raised by express itself (a
 * path that does not URL-decode, for instance) as 400, an unreachable database as 503, and
 * everything else as a 500 that says nothing about internals and is logged in full.
 */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A streamed answer (an export) failed midway: its status is gone, so all that is left is to
      // cut it short, which the client sees as a truncated download. A client that hung up first
      // is no failure of ours.
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err: error, method: req.method, path: req.path }, 'http answer failed midway');
      res.destroy();
      return;
    }
    if (error instanceof HttpProblem) {
      sendProblem(req, res, error.kind, error.detail, error.headers, error.extensions);
      return;
    }
    const clientStatus = clientErrorStatus(error);
    if (clientStatus !== null) {
      sendProblem(req, res, clientStatus === 404 ? 'not-found' : 'invalid-request', BODY_ERRORS[(error as { type?: string }).type ?? ''] ?? 'The request could not be understood.');
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error, method: req.method, path: req.path }, 'http request failed: database unavailable');
      sendProblem(req, res, 'service-unavailable', 'The service cannot reach its database; try again shortly.', { 'Retry-After': '5' });
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'http request failed');
    sendProblem(req, res, 'internal-error', 'An unexpected error occurred.');
  };
}
