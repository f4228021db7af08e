import type * as Avro from './avro-types.ts';
import type { AdminAuth, Command, CommandBody, CommandMeta } from '../domain/types.ts';
import { detailsFromWire, detailsToWire } from './details.ts';

type AdminBody = Extract<CommandBody, { admin: unknown }>;

/** A decoded command whose admin token, if any, is not verified yet: an admin command's `admin` verdict is its `adminToken`. */
export type UnverifiedCommand = CommandMeta & (
  | Exclude<CommandBody, AdminBody>
  | (AdminBody extends infer B ? B extends AdminBody ? Omit<B, 'admin'> & { adminToken: string } : never : never));

export type UnverifiedAdminCommand = Extract<UnverifiedCommand, { adminToken: string }>;
export const isAdminCommand = (command: UnverifiedCommand): command is UnverifiedAdminCommand => 'adminToken' in command;

const NS = 'platform.backoffice.';

export function commandFromWire(wire: Avro.ApplicationCommand): UnverifiedCommand {
  const meta = { commandId: wire.commandId, applicationId: wire.applicationId, issuedAt: wire.issuedAt };
  const payload = wire.payload;
  if (`${NS}SubmitApplication` in payload) {
    const submit = payload[`${NS}SubmitApplication`];
    return { ...meta, type: 'SubmitApplication', applicantId: submit.applicantId, kind: submit.kind, listingId: submit.listingId, contentType: submit.contentType, details: detailsFromWire(submit.details) };
  }
  if (`${NS}AmendApplication` in payload) {
    const amend = payload[`${NS}AmendApplication`];
    return { ...meta, type: 'AmendApplication', applicantId: amend.applicantId, details: detailsFromWire(amend.details) };
  }
  if (`${NS}WithdrawApplication` in payload) {
    return { ...meta, type: 'WithdrawApplication', applicantId: payload[`${NS}WithdrawApplication`].applicantId };
  }
  if (`${NS}ApproveApplication` in payload) {
    const approve = payload[`${NS}ApproveApplication`];
    return { ...meta, type: 'ApproveApplication', adminToken: approve.adminToken, note: approve.note };
  }
  if (`${NS}RejectApplication` in payload) {
    const reject = payload[`${NS}RejectApplication`];
    return { ...meta, type: 'RejectApplication', adminToken: reject.adminToken, reason: reject.reason };
  }
  if (`${NS}ClaimReview` in payload) {
    const claim = payload[`${NS}ClaimReview`];
    return { ...meta, type: 'ClaimReview', adminToken: claim.adminToken, takeOver: claim.takeOver };
  }
  if (`${NS}ReleaseReview` in payload) return { ...meta, type: 'ReleaseReview', adminToken: payload[`${NS}ReleaseReview`].adminToken };
  const note = payload[`${NS}AddReviewerNote`];
  return { ...meta, type: 'AddReviewerNote', adminToken: note.adminToken, text: note.text };
}

export function commandToWire(command: UnverifiedCommand): Avro.ApplicationCommand {
  const { commandId, applicationId, issuedAt } = command;
  const wrap = (payload: object) => ({ commandId, applicationId, issuedAt, payload }) as Avro.ApplicationCommand;
  switch (command.type) {
    case 'SubmitApplication':
      return wrap({ [`${NS}SubmitApplication`]: { applicantId: command.applicantId, kind: command.kind, listingId: command.listingId, contentType: command.contentType, details: detailsToWire(command.details) } });
    case 'AmendApplication':
      return wrap({ [`${NS}AmendApplication`]: { applicantId: command.applicantId, details: detailsToWire(command.details) } });
    case 'WithdrawApplication':
      return wrap({ [`${NS}WithdrawApplication`]: { applicantId: command.applicantId } });
    case 'ApproveApplication':
      return wrap({ [`${NS}ApproveApplication`]: { adminToken: command.adminToken, note: command.note } });
    case 'RejectApplication':
      return wrap({ [`${NS}RejectApplication`]: { adminToken: command.adminToken, reason: command.reason } });
    case 'ClaimReview':
      return wrap({ [`${NS}ClaimReview`]: { adminToken: command.adminToken, takeOver: command.takeOver } });
    case 'ReleaseReview':
      return wrap({ [`${NS}ReleaseReview`]: { adminToken: command.adminToken } });
    case 'AddReviewerNote':
      return wrap({ [`${NS}AddReviewerNote`]: { adminToken: command.adminToken, text: command.text } });
  }
}

/** Replaces the admin token by the verifier's verdict: the decider never sees a token. */
export function withAdmin(command: UnverifiedCommand, admin: AdminAuth | null): Command {
  if (!isAdminCommand(command)) return command;
  const { adminToken: _token, ...rest } = command;
  return { ...rest, admin: admin! } as Command;
}
