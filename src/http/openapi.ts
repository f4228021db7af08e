import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Role } from '../domain/values.ts';
import {
  amendBody, approveBody, rejectBody, reviewClaimBody, reviewerNoteBody, reviewReleaseBody, submitBody, withdrawBody,
} from './command-bodies.ts';
import { commandAcceptedSchema, commandStatusSchema } from './command-status.ts';
import { MAX_DECISIONS } from '../domain/values.ts';
import { DECISION_REQUESTS, decisionResultsSchema, decisionsBody } from './decisions.ts';
import { applicationPath } from './params.ts';
import { problemSchema } from './problem.ts';
import { adminActionsExportQuery, adminActionsQuery } from './routes/admin.ts';
import { applicationListQuery, applicationsExportQuery, applicationsQuery } from './routes/applications.ts';
import { eventsQuery } from './routes/events.ts';
import { commandHeaders, commandPath } from './routes/commands.ts';
import { listingPath } from './routes/listings.ts';
import { healthSchema, readinessSchema } from './routes/ops.ts';
import { ownerListingsQuery, ownerPath } from './routes/owners.ts';
import { GET_ONLY } from './routes/shared.ts';
import {
  adminActionListSchema, adminActionPageSchema, applicationPageSchema, applicationWithHistorySchema, listingPageSchema, listingSchema, reviewerNoteListSchema,
  statsSchema,
} from './views.ts';

/**
 * OpenAPI 3.1 description of the read API and the command gateway, served at /openapi.json, and
 * a docs page at /docs (Swagger UI, served from the swagger-ui-dist package so it works without
 * network access).
 *
 * Generated from the zod schemas the service itself uses: the views (src/http/views.ts), the
 * command bodies (src/http/command-bodies.ts), each route's parameters (its z.object of path,
 * query or header fields) and the problem body. What is written here is only what a schema
 * cannot say: which route answers what, summaries, and the responses' prose. A parameter added to
 * a route's z.object is documented by that alone. test/openapi.test.ts keeps it honest: every
 * express route must be described here, and real responses of a running service must validate
 * against these schemas (objects are closed, so a field added to a view without a schema fails).
 */

type Schema = Record<string, unknown>;
type Shape = z.ZodObject<Record<string, z.ZodType>>;

const REFS = '#/components/schemas/';
const idOf = (schema: z.ZodType): string => {
  const id = z.globalRegistry.get(schema)?.id;
  if (id === undefined) throw new Error('openapi: a documented schema needs .meta({ id })');
  return id;
};
const ref = (schema: z.ZodType): Schema => ({ $ref: `${REFS}${idOf(schema)}` });

/** One JSON Schema per registered zod schema (`.meta({ id })`), `$ref`s named by `name`. */
function registered(io: 'input' | 'output', name: (id: string) => string): Record<string, Schema> {
  // Output: the command bodies' transforms (ids answered lower case) have no JSON Schema; only their input side is used.
  const { schemas } = z.toJSONSchema(z.globalRegistry, { io, target: 'draft-2020-12', unrepresentable: 'any', uri: (id) => `${REFS}${name(id)}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema as Schema]));
}

/** The ids a schema refers to, by their registered id (an input schema's `<id>Input` as `<id>`). */
const refsIn = (schema: unknown): string[] =>
  [...JSON.stringify(schema).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+?)(?:Input)?"/g)].map((match) => match[1]!);

/**
 * Components: every schema as answered (output), and the request bodies as sent (input). Where a
 * default makes a field optional in a body (Address.detail), the sent side differs: it is a
 * schema of its own, `<id>Input`, and so is every schema that refers to one; where both sides
 * agree, one schema serves both.
 */
function components(requests: z.ZodType[]): Record<string, Schema> {
  const output = registered('output', (id) => id);
  const ids = Object.keys(output);
  const inputAsIs = registered('input', (id) => id);
  const differs = new Set(ids.filter((id) => JSON.stringify(inputAsIs[id]) !== JSON.stringify(output[id])));
  for (let before = -1; before !== differs.size;) {
    before = differs.size;
    for (const id of ids) if (refsIn(inputAsIs[id]).some((other) => differs.has(other))) differs.add(id);
  }
  const requestIds = new Set(requests.map(idOf));
  const inputName = (id: string) => (differs.has(id) && !requestIds.has(id) ? `${id}Input` : id);
  const input = registered('input', inputName);
  const found = Object.fromEntries(Object.entries(output).filter(([id]) => !requestIds.has(id)));
  // `unrepresentable: 'any'` must not leave an answer's field undescribed (a transform in a view).
  for (const [id, schema] of Object.entries(found)) {
    if (/"(?!properties")[^"]+":\{\}/.test(JSON.stringify(schema))) throw new Error(`openapi: part of ${id} has no JSON Schema`);
  }
  const reached = new Set<string>();
  for (const pending = [...requestIds]; pending.length > 0;) {
    const id = pending.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    if (requestIds.has(id) || differs.has(id)) found[inputName(id)] = input[id]!;
    pending.push(...refsIn(input[id]));
  }
  return found;
}

/**
 * One parameter's schema: what it means where JSON Schema can say it (limit: an integer from 1
 * to 100, default 20), else the text it takes (an id, answered lower case: its pattern).
 */
function parameterSchema(schema: z.ZodType): Schema {
  let json: Schema;
  try {
    json = z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' }) as Schema;
  } catch {
    json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Schema;
  }
  const { $schema: _schema, description: _description, ...rest } = json;
  return rest;
}

/** The parameters a route's z.objects parse, with their descriptions; required when a value must be given. */
const parametersOf = (where: 'path' | 'query' | 'header', shape: Shape) => Object.entries(shape.shape).map(([name, schema]) => ({
  name, in: where, required: where === 'path' || !schema.safeParse(undefined).success,
  schema: parameterSchema(schema), description: schema.description ?? '',
}));

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref(problemSchema) } } });
const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const csv = (description: string) => ({
  description, headers: { 'Content-Disposition': { description: 'attachment; filename=…', schema: { type: 'string' } } }, content: { 'text/csv': { schema: { type: 'string' } } },
});

const responses = {
  BadRequest: problem('A parameter is invalid; `detail` names every bad parameter.'),
  Unauthorized: {
    ...problem('No bearer token, or one that is invalid or expired.'),
    headers: { 'WWW-Authenticate': { description: 'Bearer challenge.', schema: { type: 'string' } } },
  },
  Forbidden: problem('The token is valid but may not see this: an OWNER asking for another owner\'s data, or for a MASTER-only resource.'),
  NotFound: problem('No such resource.'),
  InvalidCommand: problem('The body, a path parameter or the Idempotency-Key is invalid; `errors` lists every broken field with its path.'),
  KeyReused: problem('The Idempotency-Key was already used for a different request (code IDEMPOTENCY_KEY_REUSED); nothing was sent.'),
  Accepted: {
    description: 'The broker acknowledged the command (acks=all). A retry with the same Idempotency-Key answers the same, and sends nothing new.',
    headers: { Location: { description: '/commands/{commandId}: poll it for the outcome.', schema: { type: 'string' } } },
    content: { 'application/json': { schema: ref(commandAcceptedSchema) } },
  },
  CommandUnexpected: problem('503 with Retry-After when the broker did not acknowledge the command (it may still have been written; a retry with the same key sends the same command, applied at most once) or the database is unreachable; 500 for anything unexpected.'),
  Unexpected: problem('503 when the database is unreachable (with Retry-After), 500 for anything unexpected.'),
};
const respond = (name: keyof typeof responses) => ({ $ref: `#/components/responses/${name}` });

const bearer = [{ bearerAuth: [] }];
const authErrors = { 401: respond('Unauthorized'), 403: respond('Forbidden'), default: respond('Unexpected') };

interface Read {
  operationId: string; tags: string[]; summary: string; description?: string;
  path?: Shape; query?: Shape; responses: Record<string, unknown>;
}
/** A GET behind a bearer token; its parameters are what the route's z.objects parse. */
const read = ({ path, query, ...operation }: Read) => ({
  ...operation, security: bearer,
  ...((path ?? query) && { parameters: [...(path ? parametersOf('path', path) : []), ...(query ? parametersOf('query', query) : [])] }),
  responses: { ...operation.responses, ...authErrors },
});

const commandErrors = { 400: respond('InvalidCommand'), 401: respond('Unauthorized'), 403: respond('Forbidden'), 422: respond('KeyReused'), default: respond('CommandUnexpected') };
/** `x-required-role`: who may send it; any other valid token is answered 403. */
const command = (operationId: string, role: Role, summary: string, description: string, body: z.ZodType, withPath = true) => ({
  operationId, tags: ['commands'], security: bearer, 'x-required-role': role, summary, description,
  parameters: [...(withPath ? parametersOf('path', applicationPath) : []), ...parametersOf('header', commandHeaders)],
  // A body whose every field has a default may be left out.
  requestBody: { required: !body.safeParse({}).success, content: { 'application/json': { schema: ref(body) } } },
  responses: { 202: respond('Accepted'), ...commandErrors },
});
const REQUESTS = [submitBody, amendBody, withdrawBody, approveBody, rejectBody, reviewClaimBody, reviewReleaseBody, reviewerNoteBody];

const operation = (operationId: string, summary: string, content: Record<string, unknown>) =>
  ({ get: { operationId, tags: ['operations'], security: [], summary, responses: content } });
const page = (description: string) => ({ 200: { description, content: { 'text/html': { schema: { type: 'string' } } } } });

const paths = {
  '/applications': {
    post: command('submitApplication', 'OWNER', 'Apply for a new listing (NEW_LISTING) or a change of one (INFO_CHANGE) (OWNER)',
      'Produces SubmitApplication with the token subject as applicantId. Details are checked field by field before anything is sent.', submitBody, false),
    get: read({
      operationId: 'listApplications', tags: ['applications'], summary: 'Page of applications, newest first: filter and search, with the total of matches',
      description: 'MASTER sees every application; an OWNER only its own (applicantId defaults to the token subject), its search included. All given filters must hold.',
      query: applicationsQuery, responses: { 200: json('A page of applications.', applicationPageSchema), 400: respond('BadRequest') },
    }),
  },
  '/applications.csv': {
    get: read({
      operationId: 'exportApplications', tags: ['applications'], summary: 'Every application the filters match, as a CSV download, newest first',
      description: 'Streamed, UTF-8 with a byte-order mark; a cell that starts with =, +, -, @, tab or CR is prefixed with a quote (formula injection). The same access rules as the JSON list.',
      query: applicationsExportQuery, responses: { 200: csv('The applications, one per row, with a header row.'), 400: respond('BadRequest') },
    }),
  },
  '/applications/{id}': {
    get: read({
      operationId: 'getApplication', tags: ['applications'], summary: 'One application: state, details, version, decision and its history of events',
      path: applicationPath, responses: { 200: json('The application.', applicationWithHistorySchema), 400: respond('BadRequest'), 404: respond('NotFound') },
    }),
  },
  '/applications/{id}/amend': {
    post: command('amendApplication', 'OWNER', 'Replace the details of one\'s own PENDING application (OWNER)', 'Produces AmendApplication; the applicant is the token subject, never the body.', amendBody),
  },
  '/applications/{id}/withdraw': {
    post: command('withdrawApplication', 'OWNER', 'Withdraw one\'s own PENDING application (OWNER)', 'Produces WithdrawApplication; the applicant is the token subject.', withdrawBody),
  },
  '/applications/{id}/approve': {
    post: command('approveApplication', 'MASTER', 'Approve, with an optional note (MASTER)', 'Produces ApproveApplication carrying the caller\'s token as adminToken: the processor verifies it and decides.', approveBody),
  },
  '/applications/{id}/reject': {
    post: command('rejectApplication', 'MASTER', 'Reject, with a reason of 1 to 1000 characters (MASTER)', 'Produces RejectApplication carrying the caller\'s token as adminToken.', rejectBody),
  },
  '/applications/{id}/review-claim': {
    post: command('claimReview', 'MASTER', 'Claim the application for review, or take another admin\'s claim over (MASTER)',
      'Produces ClaimReview. The claim holds REVIEW_CLAIM_MINUTES from the command\'s issuedAt, until a decision, or until released; the others see it as `reviewClaim` and may decide only after a take-over (`takeOver: true`, audited as TAKE_OVER). Claiming what another admin holds without it is REJECTED with ALREADY_CLAIMED, its message naming the holder.', reviewClaimBody),
    delete: command('releaseReview', 'MASTER', 'Release one\'s own review claim (MASTER)',
      'Produces ReleaseReview; REJECTED with CLAIMED_BY_OTHER when another admin holds it, NOT_CLAIMED when no one does.', reviewReleaseBody),
  },
  '/applications/{id}/notes': {
    post: command('addReviewerNote', 'MASTER', 'Write a reviewer note (MASTER)',
      'Produces AddReviewerNote. The text is kept for MASTER routes only: it is on no topic, in no history entry and on no owner\'s route.', reviewerNoteBody),
    get: read({
      operationId: 'listReviewerNotes', tags: ['admin'], summary: 'The reviewer notes of one application, oldest first (MASTER only)',
      path: applicationPath, responses: { 200: json('Its notes, with author and time.', reviewerNoteListSchema), 400: respond('BadRequest'), 404: respond('NotFound') },
    }),
  },
  '/commands/{commandId}': {
    get: read({
      operationId: 'getCommand', tags: ['commands'],
      summary: 'A command\'s outcome: PENDING, or ACCEPTED with the new version, or REJECTED with the code and message, or DEAD_LETTERED with the dead letter\'s code',
      description: 'MASTER sees every command; an OWNER the ones it sent or that concern its applications.',
      path: commandPath, responses: { 200: json('The command\'s status.', commandStatusSchema), 400: respond('BadRequest'), 404: respond('NotFound') },
    }),
  },
  '/decisions': {
    post: {
      operationId: 'decideMany', tags: ['commands'], security: bearer, 'x-required-role': 'MASTER',
      summary: `Approve or reject up to ${MAX_DECISIONS} applications in one request, a result per decision (MASTER)`,
      description: [
        'Each decision becomes its own ApproveApplication or RejectApplication under its own idempotencyKey (its commandId), carrying the caller\'s token as adminToken.',
        'A broken decision is refused on its own (VALIDATION_FAILED, REASON_REQUIRED, DUPLICATE_KEY for a key an earlier item of the request holds, IDEMPOTENCY_KEY_REUSED for a key used before for another request); the others are sent together and answered ACCEPTED only once the broker acknowledged them.',
        'When it did not, they are REFUSED with BROKER_UNAVAILABLE and the answer has Retry-After: retry with the same keys. A retried request sends nothing new: a decision already sent (or already applied) is answered from the record. Whether the processor applied it or refused it (NOT_PENDING when another admin decided first) is on its location.',
      ].join(' '),
      requestBody: { required: true, content: { 'application/json': { schema: ref(decisionsBody) } } },
      responses: {
        200: {
          ...json('A result per decision, in request order.', decisionResultsSchema),
          headers: { 'Retry-After': { description: 'Seconds; only when a decision is REFUSED with BROKER_UNAVAILABLE.', schema: { type: 'string' } } },
        },
        400: problem(`The body is not a list of 1 to ${MAX_DECISIONS} decisions (more: code TOO_MANY_DECISIONS); nothing was sent.`),
        401: respond('Unauthorized'), 403: respond('Forbidden'), default: respond('CommandUnexpected'),
      },
    },
  },
  '/applications/{id}/actions': {
    get: read({
      operationId: 'getApplicationActions', tags: ['applications'], summary: 'The admin action log of one application',
      path: applicationPath, responses: { 200: json('Its decisions in order.', adminActionListSchema), 400: respond('BadRequest'), 404: respond('NotFound') },
    }),
  },
  '/owners/{ownerId}/applications': {
    get: read({
      operationId: 'listOwnerApplications', tags: ['owners'], summary: 'An owner\'s application history, newest first',
      path: ownerPath, query: applicationListQuery, responses: { 200: json('A page of applications.', applicationPageSchema), 400: respond('BadRequest') },
    }),
  },
  '/owners/{ownerId}/listings': {
    get: read({
      operationId: 'listOwnerListings', tags: ['owners'], summary: 'An owner\'s listings with their current contact, address and hours, newest first',
      path: ownerPath, query: ownerListingsQuery, responses: { 200: json('A page of listings.', listingPageSchema), 400: respond('BadRequest') },
    }),
  },
  '/listings/{id}': {
    get: read({
      operationId: 'getListing', tags: ['listings'], summary: 'One listing',
      path: listingPath, responses: { 200: json('The listing.', listingSchema), 400: respond('BadRequest'), 404: respond('NotFound') },
    }),
  },
  '/admin-actions': {
    get: read({
      operationId: 'listAdminActions', tags: ['admin'], summary: 'The audit log, newest first (MASTER only)',
      query: adminActionsQuery, responses: { 200: json('A page of the audit log.', adminActionPageSchema), 400: respond('BadRequest') },
    }),
  },
  '/admin-actions.csv': {
    get: read({
      operationId: 'exportAdminActions', tags: ['admin'], summary: 'The audit log the filters match, as a CSV download (MASTER only)',
      description: 'Streamed, UTF-8 with a byte-order mark, formula-injection-safe cells, in the JSON pages\' order.',
      query: adminActionsExportQuery, responses: { 200: csv('The audit log, one action per row, with a header row.'), 400: respond('BadRequest') },
    }),
  },
  '/events': {
    // Any valid token may follow it (each sees its own scope): no 403.
    get: (({ responses: { 403: _forbidden, ...responses }, ...operation }) => ({ ...operation, responses }))(read({
      operationId: 'streamEvents', tags: ['applications'], summary: 'Live outcomes as Server-Sent Events, as the processor commits them',
      description: 'A MASTER receives every outcome, an OWNER those of its own applications. Each `outcome` event has an id; a client that reconnects with `Last-Event-ID` (or `?lastEventId=`) receives everything after it, in commit order, or a `reset` event when that is too far back to replay. Never ends: a comment every 15 s keeps it open.',
      query: eventsQuery, responses: { 200: { description: 'The stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: respond('BadRequest') },
    })),
  },
  '/stats': {
    get: read({
      operationId: 'getStats', tags: ['admin'],
      summary: 'Counts by status, content type and kind, and the age of the oldest PENDING application (MASTER only)',
      responses: { 200: json('The counters.', statsSchema) },
    }),
  },
  '/healthz': operation('liveness', 'Liveness: the process answers', { 200: json('Alive.', healthSchema) }),
  '/readyz': operation('readiness', 'Readiness: the database answers, the consumer joined its group and no processing step is failing',
    { 200: json('Ready.', readinessSchema), 503: json('Not ready; `checks` says why.', readinessSchema) }),
  '/metrics': operation('metrics', 'Prometheus metrics (text exposition format)',
    { 200: { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } }),
  '/openapi.json': operation('openApiDocument', 'This document', {
    200: { description: 'OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object', properties: { openapi: { const: '3.1.0' }, paths: { type: 'object' } }, required: ['openapi', 'paths'] } } } },
  }),
  '/console': operation('console', 'The back-office console (MASTER review, owner pages), a page that signs in in the browser and uses this API',
    { ...page('HTML page.'), default: respond('Unexpected') }),
  '/docs': operation('apiDocs', 'Readable documentation of this API (Swagger UI, works offline)', page('HTML page.')),
};

const packageVersion = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
};

/** The document, built once. openApiDocument() returns it as served: a fresh JSON tree, no shared objects. */
const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Backoffice approval processor: read API and command gateway',
    version: packageVersion(),
    description: [
      'Read side of the Kafka-native backoffice approval processor. Commands go over Kafka (Avro); this API reads the',
      'state the processor wrote to PostgreSQL. JSON throughout; errors are `application/problem+json` (RFC 9457).',
      'Authenticate with `Authorization: Bearer <JWT>`: a MASTER token sees everything, an OWNER token only its own data.',
      'Read routes answer GET and HEAD, command routes POST; other methods get 405 with an Allow header.',
      'Commands (tag `commands`) are produced as Avro records on the command topic and answered 202 once the broker',
      'acknowledged them; the processor decides, and GET /commands/{commandId} tells its outcome.',
    ].join(' '),
  },
  tags: [
    { name: 'commands', description: 'The command gateway: JSON in, an Avro command on the command topic, 202 once the broker acknowledged it.' },
    { name: 'applications' }, { name: 'owners' }, { name: 'listings' }, { name: 'admin', description: 'MASTER only.' },
    { name: 'operations', description: 'Probes, metrics and this description; no token.' },
  ],
  paths,
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: components([...REQUESTS, ...DECISION_REQUESTS]),
    responses,
  },
} as const;

export function openApiDocument(): typeof DOCUMENT {
  return JSON.parse(JSON.stringify(DOCUMENT)) as typeof DOCUMENT;
}

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Only what the page loads: the package also carries a demo page that points at a public petstore. */
const DOCS_ASSETS = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png', '/favicon-16x16.png']);

/** Self-contained: every asset comes from /docs/assets (swagger-ui-dist), nothing from a CDN. */
const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Backoffice read API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });
  </script>
</body>
</html>
`;

/** GET /openapi.json, GET /docs and the docs page's static assets; no token needed. */
export function openApiRoutes(): Router {
  const router = Router();
  const body = JSON.stringify(DOCUMENT);
  router.route('/openapi.json').get((_req, res) => {
    res.type('application/json').set('Cache-Control', 'no-cache').send(body);
  }).all(GET_ONLY);
  router.route('/docs').get((_req, res) => {
    res.type('text/html').set('Cache-Control', 'no-cache').send(DOCS_PAGE);
  }).all(GET_ONLY);
  const assets = express.static(SWAGGER_UI_DIR, { index: false, fallthrough: true, maxAge: '1h' });
  router.use('/docs/assets', (req, res, next) => (DOCS_ASSETS.has(req.path) ? assets(req, res, next) : next()));
  return router;
}
