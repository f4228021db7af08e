import type * as Avro from './avro-types.ts';
import type { AdminAuth, Command, CommandBody, CommandMeta } from '../domain/types.ts';
import { detailsFromWire, detailsToWire } from './details.ts';

/** A decoded command whose admin token, if any, is not verified yet. */
export type UnverifiedCommand = CommandMeta & (
  | Exclude<CommandBody, { type: 'ApproveApplication' } | { type: 'RejectApplication' }>
  | { type: 'ApproveApplication'; adminToken: string; note: string | null }
  | { type: 'RejectApplication'; adminToken: string; reason: string });

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
  const reject = payload[`${NS}RejectApplication`];
  return { ...meta, type: 'RejectApplication', adminToken: reject.adminToken, reason: reject.reason };
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
  }
}

/** Replaces the admin token by the verifier's verdict: the decider never sees a token. */
export function withAdmin(command: UnverifiedCommand, admin: AdminAuth | null): Command {
  if (command.type === 'ApproveApplication') return { commandId: command.commandId, applicationId: command.applicationId, issuedAt: command.issuedAt, type: command.type, note: command.note, admin: admin! };
  if (command.type === 'RejectApplication') return { commandId: command.commandId, applicationId: command.applicationId, issuedAt: command.issuedAt, type: command.type, reason: command.reason, admin: admin! };
  return command;
}
