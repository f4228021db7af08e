import type { GatewayCommand } from '../store/gateway-commands.ts';
import type { CommandDeadLetter, CommandOutcome } from '../store/read/command-outcomes.ts';

/**
 * GET /commands/:commandId: PENDING until the processor recorded an outcome, then ACCEPTED with
 * the application's new version (and the listing an approval published), or REJECTED with the
 * processor's code and message, or DEAD_LETTERED with the dead letter's code and message when
 * the processor could not take the command at all. An outcome wins over a dead letter: a dead
 * letter replayed once its cause was fixed is applied like any command.
 */
export function commandStatusView(commandId: string, outcome: CommandOutcome | null, sent: GatewayCommand | null, deadLetter: CommandDeadLetter | null) {
  const base = {
    commandId,
    applicationId: outcome?.applicationId ?? sent!.applicationId,
    commandType: outcome?.commandType ?? sent!.commandType,
  };
  const none = { outcome: null, version: null, listingId: null, code: null, message: null };
  if (outcome === null) {
    if (deadLetter !== null) return { ...base, status: 'DEAD_LETTERED' as const, ...none, code: deadLetter.code, message: deadLetter.message };
    return { ...base, status: 'PENDING' as const, ...none };
  }
  if (outcome.outcome === 'CommandRejected') {
    return { ...base, status: 'REJECTED' as const, ...none, outcome: outcome.outcome, code: String(outcome.payload.code), message: String(outcome.payload.message) };
  }
  const listingId = outcome.outcome === 'ApplicationApproved' ? String(outcome.payload.listingId) : null;
  return { ...base, status: 'ACCEPTED' as const, ...none, outcome: outcome.outcome, version: outcome.version, listingId };
}
