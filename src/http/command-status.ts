import { z } from 'zod';
import { COMMAND_STATUSES, COMMAND_TYPES, DEAD_LETTER_CODES, EVENT_TYPES, REJECTION_CODES } from '../domain/values.ts';
import type { GatewayCommand } from '../store/gateway-commands.ts';
import type { CommandDeadLetter, CommandOutcome } from '../store/read/command-outcomes.ts';
import { uuidString } from './params.ts';

export const commandAcceptedSchema = z.strictObject({
  commandId: uuidString.describe('The Idempotency-Key when given.'), applicationId: uuidString, status: z.literal('PENDING'),
}).meta({ id: 'CommandAccepted', description: 'The broker acknowledged the command; poll Location for its outcome.' });

export const commandStatusSchema = z.strictObject({
  commandId: uuidString, applicationId: uuidString, commandType: z.enum(COMMAND_TYPES),
  status: z.enum(COMMAND_STATUSES).describe('PENDING until the processor applied it; DEAD_LETTERED when it could not take it at all.'),
  outcome: z.enum(EVENT_TYPES).nullable(),
  version: z.int().nullable().describe('The application version after an accepted command.'),
  listingId: uuidString.nullable().describe('The listing an approval published or changed.'),
  code: z.enum([...REJECTION_CODES, ...DEAD_LETTER_CODES]).nullable().describe('The rejection code (REJECTED) or the dead letter\'s code (DEAD_LETTERED).'),
  message: z.string().nullable(),
}).meta({ id: 'CommandStatus', description: 'What the processor recorded for a command.' });
export type CommandStatusView = z.output<typeof commandStatusSchema>;

/**
 * GET /commands/:commandId: PENDING until the processor recorded an outcome, then ACCEPTED with
 * the application's new version (and the listing an approval published), or REJECTED with the
 * processor's code and message, or DEAD_LETTERED with the dead letter's code and message when
 * the processor could not take the command at all. An outcome wins over a dead letter: a dead
 * letter replayed once its cause was fixed is applied like any command.
 */
export function commandStatusView(commandId: string, outcome: CommandOutcome | null, sent: GatewayCommand | null, deadLetter: CommandDeadLetter | null): CommandStatusView {
  const base = {
    commandId,
    applicationId: outcome?.applicationId ?? sent!.applicationId,
    commandType: outcome?.commandType ?? sent!.commandType,
  };
  const none = { outcome: null, version: null, listingId: null, code: null, message: null };
  if (outcome === null) {
    if (deadLetter !== null) return { ...base, status: 'DEAD_LETTERED', ...none, code: deadLetter.code, message: deadLetter.message };
    return { ...base, status: 'PENDING', ...none };
  }
  const { payload } = outcome;
  if (payload.type === 'CommandRejected') return { ...base, status: 'REJECTED', ...none, outcome: payload.type, code: payload.code, message: payload.message };
  const listingId = payload.type === 'ApplicationApproved' ? payload.listingId : null;
  return { ...base, status: 'ACCEPTED', ...none, outcome: payload.type, version: outcome.version, listingId };
}
