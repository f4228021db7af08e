import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router } from 'express';
import {
  AgeRatingSymbols, ApplicationKindSymbols, ContentTypeSymbols, RejectionCodeSymbols, WeekdaySymbols,
} from '../schemas/avro-types.ts';
import { GET_ONLY } from './routes/shared.ts';

/**
 * OpenAPI 3.1 description of the read API, served at /openapi.json, and a docs page at /docs
 * (Swagger UI, served from the swagger-ui-dist package so it works without network access).
 *
 * The schemas mirror src/http/views.ts and the routes in src/http/routes. test/openapi.test.ts
 * keeps them honest: every express route must be described here, and real responses of a
 * running service must validate against these schemas (objects are closed with
 * additionalProperties: false, so a field added to a view without documenting it fails).
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });
const closed = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object', ...(description && { description }), properties, required: Object.keys(properties), additionalProperties: false,
});
const text = (description?: string): Schema => ({ type: 'string', ...(description && { description }) });
const instant = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description && { description }) });
const uuid = (description?: string): Schema => ({ type: 'string', format: 'uuid', ...(description && { description }) });
const enumOf = (values: readonly string[], description?: string): Schema => ({ type: 'string', enum: [...values], ...(description && { description }) });
const count: Schema = { type: 'integer', minimum: 0 };

const APPLICATION_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN'] as const;
const ADMIN_ACTIONS = ['APPROVE', 'REJECT', 'DENIED'] as const;
const COMMAND_TYPES = ['SubmitApplication', 'AmendApplication', 'WithdrawApplication', 'ApproveApplication', 'RejectApplication'] as const;
const EVENT_TYPES = ['ApplicationSubmitted', 'ApplicationAmended', 'ApplicationWithdrawn', 'ApplicationApproved', 'ApplicationRejected', 'CommandRejected'] as const;

const eventPayload = (type: string, properties: Record<string, Schema>, description: string) =>
  closed({ type: { const: type }, ...properties }, description);

const schemas: Record<string, Schema> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details. `type` is stable: clients may switch on it.',
    properties: {
      type: { type: 'string', format: 'uri', examples: ['https://backoffice.example/problems/not-found'] },
      title: text(),
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: text(),
      instance: text('The request path.'),
      errors: {
        type: 'array', description: 'Every broken field of a request body (command gateway), for forms to show next to the field.',
        items: closed({ path: text('As the rules name it: details.contact.phone, details.businessHours[2].hours.closesAt, reason, Idempotency-Key.'), message: text() }),
      },
      code: enumOf(RejectionCodeSymbols, 'The processor\'s rejection code this refusal stands for.'),
    },
    required: ['type', 'title', 'status', 'detail'],
    additionalProperties: false,
  },
  Contact: closed({ phone: text(), email: text() }, 'How guests reach the venue.'),
  Address: closed({ postalCode: text('Korean 5-digit postal code.'), road: text('Road-name address.'), detail: nullable(text('Building, floor, unit.')) }),
  OpeningHours: closed({
    opensAt: text('HH:mm, 24-hour clock.'), closesAt: text('HH:mm, 24-hour clock.'),
    overnight: { type: 'boolean', description: 'true when closesAt is on the next day.' },
  }),
  DayHours: closed({ day: enumOf(WeekdaySymbols), hours: nullable(ref('OpeningHours')) }, 'One weekday; hours null means closed that day.'),
  BusinessHours: { type: 'array', items: ref('DayHours') },
  ContentSpecific: {
    description: 'The content-type specific part of a listing.',
    oneOf: [
      closed({ type: { const: 'RESTAURANT' }, cuisine: text(), seatCapacity: { type: 'integer' } }),
      closed({
        type: { const: 'PERFORMANCE' }, venue: text(), startDate: text('YYYY-MM-DD'), endDate: text('YYYY-MM-DD'),
        runtimeMinutes: { type: 'integer' }, ageRating: enumOf(AgeRatingSymbols),
      }),
      closed({ type: { const: 'EXHIBITION' }, venue: text(), startDate: text('YYYY-MM-DD'), endDate: text('YYYY-MM-DD'), ticketPriceKrw: { type: 'integer' } }),
    ],
  },
  ListingDetails: closed({
    type: { const: 'LISTING' }, name: text(), description: text(), contact: ref('Contact'), address: ref('Address'),
    businessHours: ref('BusinessHours'), specific: ref('ContentSpecific'),
  }, 'Everything a NEW_LISTING application proposes to publish.'),
  InfoChangeDetails: closed({
    type: { const: 'INFO_CHANGE' }, contact: nullable(ref('Contact')), address: nullable(ref('Address')), businessHours: nullable(ref('BusinessHours')),
  }, 'What an INFO_CHANGE application proposes to replace; null keeps the current value.'),
  ApplicationDetails: { oneOf: [ref('ListingDetails'), ref('InfoChangeDetails')] },
  Decision: closed({
    decidedAt: nullable(instant()), decidedBy: nullable(text('Admin id taken from the verified token.')),
    rejectionReason: nullable(text()), decisionNote: nullable(text()),
  }),
  Application: closed({
    id: uuid(), applicantId: text(), kind: enumOf(ApplicationKindSymbols), contentType: enumOf(ContentTypeSymbols),
    status: enumOf(APPLICATION_STATUSES), listingId: nullable(uuid('The listing an INFO_CHANGE concerns, or the one an approved NEW_LISTING created.')),
    version: { type: 'integer', minimum: 1, description: 'Grows by one per accepted change.' },
    details: ref('ApplicationDetails'), decision: ref('Decision'), createdAt: instant(), updatedAt: instant(),
  }),
  ApplicationSnapshot: closed({
    applicantId: text(), kind: enumOf(ApplicationKindSymbols), listingId: nullable(text()), contentType: enumOf(ContentTypeSymbols), details: ref('ApplicationDetails'),
  }),
  EventPayload: {
    description: 'The outcome event as the processor recorded it; `type` says which.',
    oneOf: [
      eventPayload('ApplicationSubmitted', { application: ref('ApplicationSnapshot') }, 'The application was received.'),
      eventPayload('ApplicationAmended', { applicantId: text(), details: ref('ApplicationDetails') }, 'The applicant replaced the details.'),
      eventPayload('ApplicationWithdrawn', { applicantId: text() }, 'The applicant withdrew it.'),
      eventPayload('ApplicationApproved', { adminId: text(), note: nullable(text()), listingId: text(), application: ref('ApplicationSnapshot') }, 'A MASTER admin approved it.'),
      eventPayload('ApplicationRejected', { adminId: text(), reason: text() }, 'A MASTER admin rejected it.'),
      eventPayload('CommandRejected', { commandType: enumOf(COMMAND_TYPES), code: enumOf(RejectionCodeSymbols), message: text() }, 'A command was refused; nothing changed.'),
    ],
  },
  ApplicationEvent: closed({
    eventId: uuid('Stable id; consumers of the events topic dedupe by it.'), commandId: uuid(), type: enumOf(EVENT_TYPES),
    version: { type: 'integer', description: 'Application version after this event; unchanged by CommandRejected.' },
    occurredAt: instant(), payload: ref('EventPayload'),
  }),
  ApplicationPage: closed({ items: { type: 'array', items: ref('Application') }, nextCursor: ref('NextCursor') }),
  NextCursor: nullable(text('Opaque; pass it as `cursor` for the next page. null on the last page.')),
  AdminAction: closed({
    id: { type: 'string', pattern: '^[1-9][0-9]*$', description: 'Position in the audit log (a bigint as decimal text).' },
    adminId: nullable(text('null when a refused token named no admin.')), applicationId: uuid(), action: enumOf(ADMIN_ACTIONS),
    reason: nullable(text('Rejection reason, or why a decision was DENIED.')), commandId: uuid(), at: instant(),
  }, 'One row of the audit log: every decision, including refused ones (DENIED).'),
  AdminActionList: closed({ items: { type: 'array', items: ref('AdminAction') } }),
  AdminActionPage: closed({ items: { type: 'array', items: ref('AdminAction') }, nextCursor: ref('NextCursor') }),
  Listing: closed({
    id: uuid(), ownerId: text(), contentType: enumOf(ContentTypeSymbols), name: text(), description: text(), contact: ref('Contact'),
    address: ref('Address'), businessHours: ref('BusinessHours'), specific: ref('ContentSpecific'),
    sourceApplicationId: uuid('The approved application that created or last changed it.'), version: { type: 'integer', minimum: 1 },
    createdAt: instant(), updatedAt: instant(),
  }),
  ListingPage: closed({ items: { type: 'array', items: ref('Listing') }, nextCursor: ref('NextCursor') }),
  Stats: closed({
    byStatus: closed(Object.fromEntries(APPLICATION_STATUSES.map((status) => [status, count]))),
    byContentType: closed(Object.fromEntries(ContentTypeSymbols.map((type) => [type, count]))),
    byKind: closed(Object.fromEntries(ApplicationKindSymbols.map((kind) => [kind, count]))),
    oldestPendingAgeSeconds: nullable({ type: 'number', minimum: 0, description: 'Whole seconds; null when nothing is pending.' }),
  }),
  SubmitRequest: {
    type: 'object', additionalProperties: false, required: ['kind', 'contentType', 'details'],
    description: 'The applicant is the OWNER token\'s subject. listingId: null for NEW_LISTING, the listing to change for INFO_CHANGE.',
    properties: {
      applicationId: uuid('Optional; a new id is chosen when absent.'), kind: enumOf(ApplicationKindSymbols), contentType: enumOf(ContentTypeSymbols),
      listingId: nullable(uuid()), details: ref('ApplicationDetails'),
    },
  },
  AmendRequest: { type: 'object', additionalProperties: false, required: ['details'], properties: { details: ref('ApplicationDetails') } },
  WithdrawRequest: { type: 'object', additionalProperties: false, properties: {} },
  ApproveRequest: { type: 'object', additionalProperties: false, properties: { note: nullable({ type: 'string', maxLength: 1000 }) } },
  RejectRequest: closed({ reason: { type: 'string', minLength: 1, maxLength: 1000, description: 'Trimmed, 1 to 1000 characters.' } }),
  CommandAccepted: closed({ commandId: uuid('The Idempotency-Key when given.'), applicationId: uuid(), status: { const: 'PENDING' } },
    'The broker acknowledged the command; poll Location for its outcome.'),
  CommandStatus: closed({
    commandId: uuid(), applicationId: uuid(), commandType: enumOf(COMMAND_TYPES),
    status: enumOf(['PENDING', 'ACCEPTED', 'REJECTED'], 'PENDING until the processor applied it.'),
    outcome: nullable(enumOf(EVENT_TYPES)), version: nullable({ type: 'integer', description: 'The application version after an accepted command.' }),
    listingId: nullable(uuid('The listing an approval published or changed.')),
    code: nullable(enumOf(RejectionCodeSymbols)), message: nullable(text()),
  }, 'What the processor recorded for a command.'),
  Health: closed({ status: { const: 'ok' } }),
  Readiness: closed({
    status: enumOf(['ready', 'not ready']),
    checks: { type: 'object', additionalProperties: { type: ['boolean', 'string'] }, description: 'database, brokerAnswering (the broker answered the consumer within its session timeout), consumerJoined, stalledStep.' },
  }),
};

const applicationProperties = (schemas.Application as { properties: Record<string, Schema> }).properties;
schemas.ApplicationWithHistory = closed({
  ...applicationProperties,
  history: { type: 'array', items: ref('ApplicationEvent'), description: 'Every outcome event of the application, in the order written.' },
}, 'An application with its history.');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (description: string, schema: Schema) => ({ description, content: { 'application/json': { schema } } });

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
    content: { 'application/json': { schema: ref('CommandAccepted') } },
  },
  CommandUnexpected: problem('503 with Retry-After when the broker did not acknowledge the command (it may still have been written; a retry with the same key sends the same command, applied at most once) or the database is unreachable; 500 for anything unexpected.'),
  Unexpected: problem('503 when the database is unreachable (with Retry-After), 500 for anything unexpected.'),
};
const respond = (name: keyof typeof responses) => ({ $ref: `#/components/responses/${name}` });

const parameter = (name: string, where: 'query' | 'path', schema: Schema, description: string) =>
  ({ name, in: where, required: where === 'path', schema, description });
const parameters = {
  limit: parameter('limit', 'query', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, 'Page size.'),
  timeCursor: parameter('cursor', 'query', { type: 'string' }, 'nextCursor of the previous page.'),
  idCursor: parameter('cursor', 'query', { type: 'string' }, 'nextCursor of the previous page.'),
  status: parameter('status', 'query', enumOf(APPLICATION_STATUSES), 'Only applications in this state.'),
  contentType: parameter('contentType', 'query', enumOf(ContentTypeSymbols), 'Only this content type.'),
  kind: parameter('kind', 'query', enumOf(ApplicationKindSymbols), 'Only this kind.'),
  applicantId: parameter('applicantId', 'query', { type: 'string', minLength: 1, maxLength: 200 }, 'Only this applicant\'s; an OWNER may give only its own id.'),
  applicationPath: parameter('id', 'path', { type: 'string', format: 'uuid' }, 'Application id.'),
  listingPath: parameter('id', 'path', { type: 'string', format: 'uuid' }, 'Listing id.'),
  ownerPath: parameter('ownerId', 'path', { type: 'string', minLength: 1, maxLength: 200 }, 'Owner (applicant) id.'),
  adminId: parameter('adminId', 'query', { type: 'string', minLength: 1, maxLength: 200 }, 'Only decisions of this admin.'),
  action: parameter('action', 'query', enumOf(ADMIN_ACTIONS), 'Only this action.'),
  applicationId: parameter('applicationId', 'query', { type: 'string', format: 'uuid' }, 'Only decisions on this application.'),
  from: parameter('from', 'query', { type: 'string', format: 'date-time' }, 'Inclusive lower bound on `at` (ISO 8601 with offset).'),
  to: parameter('to', 'query', { type: 'string', format: 'date-time' }, 'Exclusive upper bound on `at` (ISO 8601 with offset).'),
  idempotencyKey: { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', format: 'uuid' }, description: 'Becomes the commandId; a retried POST with it sends nothing new.' },
  commandPath: parameter('commandId', 'path', { type: 'string', format: 'uuid' }, 'Command id (the Idempotency-Key).'),
};
const param = (name: keyof typeof parameters) => ({ $ref: `#/components/parameters/${name}` });

const bearer = [{ bearerAuth: [] }];
const authErrors = { 401: respond('Unauthorized'), 403: respond('Forbidden'), default: respond('Unexpected') };

const commandErrors = { 400: respond('InvalidCommand'), 401: respond('Unauthorized'), 403: respond('Forbidden'), 422: respond('KeyReused'), default: respond('CommandUnexpected') };
/** `x-required-role`: who may send it; any other valid token is answered 403. */
const command = (operationId: string, role: 'MASTER' | 'OWNER', summary: string, description: string, body: string, withPath = true) => ({
  operationId, tags: ['commands'], security: bearer, 'x-required-role': role, summary, description,
  parameters: [...(withPath ? [param('applicationPath')] : []), param('idempotencyKey')],
  requestBody: { required: body !== 'WithdrawRequest' && body !== 'ApproveRequest', content: { 'application/json': { schema: ref(body) } } },
  responses: { 202: respond('Accepted'), ...commandErrors },
});

const paths = {
  '/applications': {
    post: command('submitApplication', 'OWNER', 'Apply for a new listing (NEW_LISTING) or a change of one (INFO_CHANGE) (OWNER)',
      'Produces SubmitApplication with the token subject as applicantId. Details are checked field by field before anything is sent.', 'SubmitRequest', false),
    get: {
      operationId: 'listApplications', tags: ['applications'], security: bearer,
      summary: 'Page of applications, newest first',
      description: 'MASTER sees every application; an OWNER only its own (applicantId defaults to the token subject).',
      parameters: [param('status'), param('contentType'), param('kind'), param('applicantId'), param('limit'), param('timeCursor')],
      responses: { 200: json('A page of applications.', ref('ApplicationPage')), 400: respond('BadRequest'), ...authErrors },
    },
  },
  '/applications/{id}': {
    get: {
      operationId: 'getApplication', tags: ['applications'], security: bearer,
      summary: 'One application: state, details, version, decision and its history of events',
      parameters: [param('applicationPath')],
      responses: { 200: json('The application.', ref('ApplicationWithHistory')), 400: respond('BadRequest'), 404: respond('NotFound'), ...authErrors },
    },
  },
  '/applications/{id}/amend': {
    post: command('amendApplication', 'OWNER', 'Replace the details of one\'s own PENDING application (OWNER)', 'Produces AmendApplication; the applicant is the token subject, never the body.', 'AmendRequest'),
  },
  '/applications/{id}/withdraw': {
    post: command('withdrawApplication', 'OWNER', 'Withdraw one\'s own PENDING application (OWNER)', 'Produces WithdrawApplication; the applicant is the token subject.', 'WithdrawRequest'),
  },
  '/applications/{id}/approve': {
    post: command('approveApplication', 'MASTER', 'Approve, with an optional note (MASTER)', 'Produces ApproveApplication carrying the caller\'s token as adminToken: the processor verifies it and decides.', 'ApproveRequest'),
  },
  '/applications/{id}/reject': {
    post: command('rejectApplication', 'MASTER', 'Reject, with a reason of 1 to 1000 characters (MASTER)', 'Produces RejectApplication carrying the caller\'s token as adminToken.', 'RejectRequest'),
  },
  '/commands/{commandId}': {
    get: {
      operationId: 'getCommand', tags: ['commands'], security: bearer,
      summary: 'A command\'s outcome: PENDING, or ACCEPTED with the new version, or REJECTED with the code and message',
      description: 'MASTER sees every command; an OWNER the ones it sent or that concern its applications.',
      parameters: [param('commandPath')],
      responses: { 200: json('The command\'s status.', ref('CommandStatus')), 400: respond('BadRequest'), 404: respond('NotFound'), ...authErrors },
    },
  },
  '/applications/{id}/actions': {
    get: {
      operationId: 'getApplicationActions', tags: ['applications'], security: bearer,
      summary: 'The admin action log of one application',
      parameters: [param('applicationPath')],
      responses: { 200: json('Its decisions in order.', ref('AdminActionList')), 400: respond('BadRequest'), 404: respond('NotFound'), ...authErrors },
    },
  },
  '/owners/{ownerId}/applications': {
    get: {
      operationId: 'listOwnerApplications', tags: ['owners'], security: bearer,
      summary: 'An owner\'s application history, newest first',
      parameters: [param('ownerPath'), param('status'), param('contentType'), param('kind'), param('limit'), param('timeCursor')],
      responses: { 200: json('A page of applications.', ref('ApplicationPage')), 400: respond('BadRequest'), ...authErrors },
    },
  },
  '/owners/{ownerId}/listings': {
    get: {
      operationId: 'listOwnerListings', tags: ['owners'], security: bearer,
      summary: 'An owner\'s listings with their current contact, address and hours, newest first',
      parameters: [param('ownerPath'), param('limit'), param('timeCursor')],
      responses: { 200: json('A page of listings.', ref('ListingPage')), 400: respond('BadRequest'), ...authErrors },
    },
  },
  '/listings/{id}': {
    get: {
      operationId: 'getListing', tags: ['listings'], security: bearer,
      summary: 'One listing',
      parameters: [param('listingPath')],
      responses: { 200: json('The listing.', ref('Listing')), 400: respond('BadRequest'), 404: respond('NotFound'), ...authErrors },
    },
  },
  '/admin-actions': {
    get: {
      operationId: 'listAdminActions', tags: ['admin'], security: bearer,
      summary: 'The audit log, in the order decisions were written (MASTER only)',
      parameters: [param('adminId'), param('action'), param('applicationId'), param('from'), param('to'), param('limit'), param('idCursor')],
      responses: { 200: json('A page of the audit log.', ref('AdminActionPage')), 400: respond('BadRequest'), ...authErrors },
    },
  },
  '/stats': {
    get: {
      operationId: 'getStats', tags: ['admin'], security: bearer,
      summary: 'Counts by status, content type and kind, and the age of the oldest PENDING application (MASTER only)',
      responses: { 200: json('The counters.', ref('Stats')), ...authErrors },
    },
  },
  '/healthz': {
    get: {
      operationId: 'liveness', tags: ['operations'], security: [], summary: 'Liveness: the process answers',
      responses: { 200: json('Alive.', ref('Health')) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness', tags: ['operations'], security: [],
      summary: 'Readiness: the database answers, the consumer joined its group and no processing step is failing',
      responses: { 200: json('Ready.', ref('Readiness')), 503: json('Not ready; `checks` says why.', ref('Readiness')) },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics', tags: ['operations'], security: [], summary: 'Prometheus metrics (text exposition format)',
      responses: { 200: { description: 'Metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openApiDocument', tags: ['operations'], security: [], summary: 'This document',
      responses: { 200: json('OpenAPI 3.1 document.', { type: 'object', properties: { openapi: { const: '3.1.0' }, paths: { type: 'object' } }, required: ['openapi', 'paths'] }) },
    },
  },
  '/console': {
    get: {
      operationId: 'console', tags: ['operations'], security: [],
      summary: 'The back-office console (MASTER review, owner pages), a page that signs in in the browser and uses this API',
      responses: { 200: { description: 'HTML page.', content: { 'text/html': { schema: { type: 'string' } } } }, default: respond('Unexpected') },
    },
  },
  '/docs': {
    get: {
      operationId: 'apiDocs', tags: ['operations'], security: [], summary: 'Readable documentation of this API (Swagger UI, works offline)',
      responses: { 200: { description: 'HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
    },
  },
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
    schemas,
    responses,
    parameters,
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
