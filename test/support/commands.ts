import { randomUUID } from 'node:crypto';
import type { CommandInput } from '../../src/client/command-sender.ts';
import type { ReadMessage } from '../../src/client/event-reader.ts';
import type { ApplicationDetails, ContentType } from '../../src/domain/types.ts';
import { detailsFor } from '../fixtures/details.ts';

export const submitNew = (applicantId: string, contentType: ContentType = 'RESTAURANT', applicationId: string = randomUUID()): CommandInput => ({
  type: 'SubmitApplication', applicationId, applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: detailsFor(contentType),
});
export const approve = (applicationId: string, adminToken: string, note: string | null = null): CommandInput => ({ type: 'ApproveApplication', applicationId, adminToken, note });
export const reject = (applicationId: string, adminToken: string, reason: string): CommandInput => ({ type: 'RejectApplication', applicationId, adminToken, reason });
export const amend = (applicationId: string, applicantId: string, details: ApplicationDetails): CommandInput => ({ type: 'AmendApplication', applicationId, applicantId, details });
export const withdraw = (applicationId: string, applicantId: string): CommandInput => ({ type: 'WithdrawApplication', applicationId, applicantId });

/** `platform.backoffice.ApplicationApproved` -> `ApplicationApproved`, with its body. */
export function payloadOf(message: ReadMessage): { type: string; body: any } {
  const payload = (message.value as { payload: Record<string, unknown> }).payload;
  const [name, body] = Object.entries(payload)[0]!;
  return { type: name.split('.').pop()!, body };
}

export const forCommand = (topic: string, commandId: string) => (message: ReadMessage) =>
  message.topic === topic && (message.value as { commandId?: string } | null)?.commandId === commandId;
