import { createHash } from 'node:crypto';
import type { CommandInput, CommandSender } from '../client/command-sender.ts';
import type { Logger } from '../logger.ts';
import type { Database } from '../store/db.ts';
import { markSent, reserveCommand } from '../store/gateway-commands.ts';
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

const fingerprintOf = (route: unknown) => createHash('sha256').update(JSON.stringify(route)).digest('hex');

/**
 * Produces `input` once per commandId and resolves when the broker acknowledged it (acks=all).
 * The first attempt records the encoded bytes before sending; a replay answers from that record,
 * or re-sends those very bytes if the broker never acknowledged them, so a retried POST never
 * becomes a second, different command. A key reused for another request is refused, as the
 * processor refuses a reused commandId (IDEMPOTENCY_KEY_REUSED).
 */
export async function produceOnce(deps: GatewayDeps, request: GatewayRequest): Promise<{ commandId: string; applicationId: string }> {
  const fingerprint = fingerprintOf({ requestedBy: request.requestedBy, request: request.request });
  const { command, value } = deps.sender.encode({ ...request.input, commandId: request.commandId });
  const held = await reserveCommand(deps.db, {
    commandId: request.commandId, fingerprint, applicationId: command.applicationId, commandType: command.type, requestedBy: request.requestedBy, value,
  });
  if (held.fingerprint !== fingerprint) {
    throw new HttpProblem('idempotency-key-reused', `Idempotency-Key ${request.commandId} was already used for a different request.`, {}, { code: 'IDEMPOTENCY_KEY_REUSED' });
  }
  if (!held.sent) {
    try {
      await deps.sender.sendRaw([{ key: held.applicationId, value: held.value }]);
    } catch (error) {
      deps.logger.warn({ err: error, commandId: held.commandId }, 'command gateway: the broker did not acknowledge the command');
      throw new HttpProblem('service-unavailable',
        // Not "nothing was written": a broker that refuses for want of in-sync replicas after the
        // append (NOT_ENOUGH_REPLICAS_AFTER_APPEND), or whose answer is lost, may have it on its log.
        'The broker did not acknowledge the command (it may still have been written); retry with the same Idempotency-Key, which sends the very same command and never applies it twice.', { 'Retry-After': '5' });
    }
    await markSent(deps.db, held.commandId);
  }
  return { commandId: held.commandId, applicationId: held.applicationId };
}
