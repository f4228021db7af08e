import type { GatewayCommand } from '../store/gateway-commands.ts';
import type { CommandOutcome } from '../store/read/command-outcomes.ts';

/**
 * GET /commands/:commandId: PENDING until the processor recorded an outcome, then ACCEPTED with
 * the application's new version (and the listing an approval published), or REJECTED with the
 * processor's code and message.
 */
export function commandStatusView(commandId: string, outcome: CommandOutcome | null, sent: GatewayCommand | null) {
  const base = {
    commandId,
    applicationId: outcome?.applicationId ?? sent!.applicationId,
    commandType: outcome?.commandType ?? sent!.commandType,
  };
  const none = { outcome: null, version: null, listingId: null, code: null, message: null };
  if (outcome === null) return { ...base, status: 'PENDING' as const, ...none };
  if (outcome.outcome === 'CommandRejected') {
    return { ...base, status: 'REJECTED' as const, ...none, outcome: outcome.outcome, code: String(outcome.payload.code), message: String(outcome.payload.message) };
  }
  const listingId = outcome.outcome === 'ApplicationApproved' ? String(outcome.payload.listingId) : null;
  return { ...base, status: 'ACCEPTED' as const, ...none, outcome: outcome.outcome, version: outcome.version, listingId };
}
