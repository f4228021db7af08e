import { createHash } from 'node:crypto';
import type { CommandInput, CommandSender } from '../client/command-sender.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/db.ts';
import { markSent, processedAmong, reserveCommand, type GatewayCommand } from '../store/gateway-commands.ts';
import { HttpProblem } from './problem.ts';

/** What the gateway needs to put a command on the topic: the shared command sender and the database. */
export interface GatewayDeps { db: Database; sender: CommandSender; logger: Logger }

export interface GatewayRequest {
  /** The Idempotency-Key, or a fresh id. */
  commandId: string;
  /** The token subject: only the same caller may replay a key. */
  requestedBy: string;
  /** The route and the validated body, never the token or the time, which change on a retry. */
  request: unknown;
  input: CommandInput;
}

/** Why a command was not produced: its key holds another request, or the broker did not acknowledge it. */
export type ProduceRefusal = 'IDEMPOTENCY_KEY_REUSED' | 'BROKER_UNAVAILABLE';
export type Produced =
  | { ok: true; commandId: string; applicationId: string }
  | { ok: false; commandId: string; code: ProduceRefusal; message: string };

const fingerprintOf = (route: unknown) => createHash('sha256').update(JSON.stringify(route)).digest('hex');

const REUSED = (commandId: string) => `Idempotency-Key ${commandId} was already used for a different request.`;
// Not "nothing was written": a broker that refuses for want of in-sync replicas after the append
// (NOT_ENOUGH_REPLICAS_AFTER_APPEND), or whose answer is lost, may have it on its log.
const UNACKNOWLEDGED = 'The broker did not acknowledge the command (it may still have been written); retry with the same Idempotency-Key, which sends the very same command and never applies it twice.';

/**
 * Produces each request's command once per commandId, all unsent ones in one send, and answers
 * per request, in order, once the broker acknowledged (acks=all). The first attempt records the
 * encoded bytes before sending; a replay answers from that record, or re-sends those very bytes
 * if the broker never acknowledged them, so a retry never becomes a second, different command;
 * and one the processor already applied (its acknowledgement was lost) is not sent again at all.
 * A key reused for another request is refused, as the processor refuses a reused commandId
 * (IDEMPOTENCY_KEY_REUSED). The commandIds must be distinct.
 */
export async function produceAll(deps: GatewayDeps, requests: GatewayRequest[]): Promise<Produced[]> {
  const held: { command: GatewayCommand; reused: boolean }[] = [];
  for (const request of requests) {
    const fingerprint = fingerprintOf({ requestedBy: request.requestedBy, request: request.request });
    const { command, value } = deps.sender.encode({ ...request.input, commandId: request.commandId });
    const row = await reserveCommand(deps.db, {
      commandId: request.commandId, fingerprint, applicationId: command.applicationId, commandType: command.type, requestedBy: request.requestedBy, value,
    });
    held.push({ command: row, reused: row.fingerprint !== fingerprint });
  }
  const unsent = held.filter(({ command, reused }) => !reused && !command.sent).map(({ command }) => command);
  const applied = new Set(await processedAmong(deps.db, unsent.map((command) => command.commandId)));
  const toSend = unsent.filter((command) => !applied.has(command.commandId));
  let acknowledged = true;
  if (toSend.length > 0) {
    try {
      await deps.sender.sendRaw(toSend.map((command) => ({ key: command.applicationId, value: command.value })));
    } catch (error) {
      acknowledged = false;
      deps.logger.warn({ err: error, commandIds: toSend.map((command) => command.commandId) }, 'command gateway: the broker did not acknowledge the commands');
    }
  }
  const nowSent = acknowledged ? unsent : unsent.filter((command) => applied.has(command.commandId));
  await markSent(deps.db, nowSent.map((command) => command.commandId));
  const sent = new Set(nowSent.map((command) => command.commandId));
  return held.map(({ command, reused }): Produced => {
    if (reused) return { ok: false, commandId: command.commandId, code: 'IDEMPOTENCY_KEY_REUSED', message: REUSED(command.commandId) };
    if (command.sent || sent.has(command.commandId)) return { ok: true, commandId: command.commandId, applicationId: command.applicationId };
    return { ok: false, commandId: command.commandId, code: 'BROKER_UNAVAILABLE', message: UNACKNOWLEDGED };
  });
}

/** One command as produceAll produces it, a refusal as the problem the single command routes answer. */
export async function produceOnce(deps: GatewayDeps, request: GatewayRequest): Promise<{ commandId: string; applicationId: string }> {
  const [produced] = await produceAll(deps, [request]);
  if (produced!.ok) return { commandId: produced!.commandId, applicationId: produced!.applicationId };
  if (produced!.code === 'IDEMPOTENCY_KEY_REUSED') {
    throw new HttpProblem('idempotency-key-reused', produced!.message, {}, { code: 'IDEMPOTENCY_KEY_REUSED' });
  }
  throw new HttpProblem('service-unavailable', produced!.message, { 'Retry-After': '5' });
}
