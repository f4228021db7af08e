import { z } from 'zod';
import type { CommandInput } from '../client/command-sender.ts';
import { MAX_DECISIONS } from '../domain/values.ts';
import { checkRejectionReason, validateNote } from '../processors/decider/validate.ts';
import { approveBody, fieldProblems, rejectBody, shapeProblems, type FieldProblem } from './command-bodies.ts';
import { uuidString, uuidText as uuid } from './params.ts';

/**
 * POST /decisions, its pure part: the body and answer schemas, and each item of the list read and
 * checked on its own, so a broken one refuses only itself, and turned into the very command (and
 * idempotency request) the single approve and reject routes would send for it.
 */

const decisionOf = z.strictObject({
  applicationId: uuid,
  idempotencyKey: uuid.describe('Becomes this decision\'s commandId; a retried request with it sends nothing new.'),
});
export const decisionItem = z.discriminatedUnion('decision', [
  decisionOf.extend({ decision: z.literal('APPROVE'), note: approveBody.shape.note }),
  decisionOf.extend({ decision: z.literal('REJECT'), reason: rejectBody.shape.reason }),
]).meta({ id: 'DecisionRequest', description: 'One decision: its own command with its own idempotency key.' });

const decisionList = <T extends z.ZodType>(item: T) => z.strictObject({
  decisions: z.array(item).min(1).max(MAX_DECISIONS, `must have at most ${MAX_DECISIONS} decisions`),
});
export const decisionsBody = decisionList(decisionItem).meta({
  id: 'DecisionsRequest', description: `1 to ${MAX_DECISIONS} decisions; each is judged on its own, so a broken one refuses only itself.`,
});
/** What POST /decisions reads first: the list, whose items are then read one by one so a broken one refuses only itself. */
export const decisionsEnvelope = decisionList(z.unknown());
/** The request bodies /openapi.json describes; the item too, its ids read as the request reads them (its input side only). */
export const DECISION_REQUESTS = [decisionsBody, decisionItem];

/**
 * Why one decision of a list was not sent: VALIDATION_FAILED (a field), REASON_REQUIRED (a
 * rejection's reason), DUPLICATE_KEY (its key is an earlier item's in the same request),
 * IDEMPOTENCY_KEY_REUSED (its key was used before for another request), BROKER_UNAVAILABLE (the
 * broker did not acknowledge it: retry with the same key).
 */
export const DECISION_REFUSAL_CODES = ['VALIDATION_FAILED', 'REASON_REQUIRED', 'DUPLICATE_KEY', 'IDEMPOTENCY_KEY_REUSED', 'BROKER_UNAVAILABLE'] as const;
export type DecisionRefusalCode = (typeof DECISION_REFUSAL_CODES)[number];

const acceptedDecision = z.strictObject({
  status: z.literal('ACCEPTED'), applicationId: uuidString, idempotencyKey: uuidString,
  commandId: uuidString.describe('The idempotencyKey.'), location: z.string().describe('/commands/{commandId}: poll it for the outcome.'),
});
const refusedDecision = z.strictObject({
  status: z.literal('REFUSED'),
  applicationId: z.string().nullable().describe('As given; null when it was not text.'),
  idempotencyKey: z.string().nullable().describe('As given; null when it was not text.'),
  code: z.enum(DECISION_REFUSAL_CODES), message: z.string(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).describe('The broken fields of the item, by their path in it.'),
});
export const decisionResultSchema = z.discriminatedUnion('status', [acceptedDecision, refusedDecision]).meta({
  id: 'DecisionResult', description: 'ACCEPTED once the broker acknowledged its command (poll location for the outcome, NOT_PENDING included), or REFUSED with a code: nothing was sent for it.',
});
export const decisionResultsSchema = z.strictObject({ results: z.array(decisionResultSchema).describe('One per decision, in request order.') })
  .meta({ id: 'DecisionResults' });
export type DecisionResult = z.output<typeof decisionResultSchema>;

/** A decision ready to send: its command (without the admin's token) and the request its key stands for. */
export interface ReadyDecision { applicationId: string; idempotencyKey: string; request: unknown; input: CommandInput }

type Read = { ok: true; decision: ReadyDecision } | { ok: false; result: DecisionResult };

const echo = (raw: unknown, field: string) => {
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : null;
};

export const refused = (raw: unknown, code: DecisionRefusalCode, message: string, errors: FieldProblem[] = []): DecisionResult => ({
  status: 'REFUSED', applicationId: echo(raw, 'applicationId'), idempotencyKey: echo(raw, 'idempotencyKey'), code, message, errors,
});

const invalid = (raw: unknown, errors: FieldProblem[]): Read => {
  const aboutReason = echo(raw, 'decision') === 'REJECT' && errors.every((error) => error.path === 'reason');
  const message = `${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}.`;
  return { ok: false, result: refused(raw, aboutReason ? 'REASON_REQUIRED' : 'VALIDATION_FAILED', message, errors) };
};

/** One item: its shape, then the decider's rules for a note or a reason, as the single routes check them. */
function readDecision(raw: unknown, adminToken: string): Read {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid(raw, [{ path: 'item', message: 'must be a JSON object' }]);
  const parsed = decisionItem.safeParse(raw);
  if (!parsed.success) return invalid(raw, shapeProblems(parsed.error));
  const { applicationId, idempotencyKey } = parsed.data;
  if (parsed.data.decision === 'APPROVE') {
    const { note } = parsed.data;
    const problems = fieldProblems(validateNote(note));
    if (problems.length > 0) return invalid(raw, problems);
    return { ok: true, decision: { applicationId, idempotencyKey, ...approval(applicationId, adminToken, note) } };
  }
  const reason = checkRejectionReason(parsed.data.reason);
  if (!reason.ok) return invalid(raw, fieldProblems([reason.problem]));
  return { ok: true, decision: { applicationId, idempotencyKey, ...rejection(applicationId, adminToken, reason.reason) } };
}

/** The approve route's command and idempotency request: a key used by either route is the same request in both. */
export const approval = (id: string, adminToken: string, note: string | null) => ({
  input: { type: 'ApproveApplication', applicationId: id, adminToken, note } satisfies CommandInput,
  request: { route: 'approve', id, body: { note } },
});
/** The reject route's, with the reason already trimmed. */
export const rejection = (id: string, adminToken: string, reason: string) => ({
  input: { type: 'RejectApplication', applicationId: id, adminToken, reason } satisfies CommandInput,
  request: { route: 'reject', id, body: { reason } },
});

/**
 * Every item read in request order; an item whose key an earlier item of the request already
 * holds is refused (DUPLICATE_KEY), so one key never stands for two commands of one request.
 */
export function readDecisions(items: unknown[], adminToken: string): Read[] {
  const keys = new Set<string>();
  return items.map((raw) => {
    const read = readDecision(raw, adminToken);
    if (!read.ok) return read;
    const key = read.decision.idempotencyKey;
    if (keys.has(key)) return { ok: false, result: refused(raw, 'DUPLICATE_KEY', `idempotencyKey ${key} is an earlier decision's in this request.`) };
    keys.add(key);
    return read;
  });
}
