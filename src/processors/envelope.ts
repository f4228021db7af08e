import { createHash } from 'node:crypto';
import type { Serde } from '../schemas/serde.ts';
import { commandFromWire, isAdminCommand, withAdmin } from '../schemas/commands.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import { isUuid, UUID_RULE } from '../domain/ids.ts';
import type { AdminAuth, Command } from '../domain/types.ts';
import type { DeadLetterCode } from '../domain/values.ts';

/** One record off the command topic, as kafkajs hands it over. */
export interface CommandRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  /** The trace headers of the records this one causes (empty when untraced). */
  trace: Record<string, string>;
}


export type Prepared =
  | { kind: 'dead-letter'; record: CommandRecord; code: DeadLetterCode; message: string }
  | { kind: 'command'; record: CommandRecord; command: Command; payloadHash: string };

/** Thrown when a dependency (the registry) is away: the batch must wait, not dead-letter. */
export class DependencyUnavailable extends Error {}

/**
 * When a decision is judged. On Apache Kafka the command topic stamps each record with the
 * broker's append time (LogAppendTime), which no producer can choose: the token must have been
 * valid then, and the command's issuedAt must lie within `skewMs` of it, so a leaked token cannot
 * be replayed with a back-dated issuedAt, and a backlog after an outage is judged by when each
 * command arrived, not by when it is processed. Where the broker cannot stamp append time (the
 * go-mokapi fallback), the processing time stands in for it.
 */
export interface DecisionClock { appendTime: boolean; skewMs: number }
export const DEFAULT_DECISION_CLOCK: DecisionClock = { appendTime: true, skewMs: 5 * 60_000 };

async function verifyAdmin(verifier: TokenVerifier, token: string, issuedAt: number, decidedAt: number, skewMs: number): Promise<AdminAuth> {
  if (Math.abs(issuedAt - decidedAt) > skewMs) {
    // The reason is audited: it names the rule, not by how much, so that the same command bytes
    // get the same audit row whenever they are (re)applied.
    const direction = issuedAt > decidedAt ? 'after' : 'before';
    return { ok: false, adminId: null, reason: `issuedAt lies more than ${Math.round(skewMs / 1000)} s ${direction} the command's arrival` };
  }
  const verdict = await verifier.verify(token, new Date(decidedAt));
  if (!verdict.ok) return { ok: false, adminId: verdict.subject, reason: verdict.reason };
  if (verdict.principal.role !== 'MASTER') return { ok: false, adminId: verdict.principal.subject, reason: `role ${verdict.principal.role} may not decide` };
  return { ok: true, adminId: verdict.principal.subject };
}

/**
 * Turns a record into a command the decider can take, or into a dead letter with a reason.
 * Everything that cannot be addressed to an application (no key, bad ids, undecodable bytes)
 * dead-letters; everything else becomes a command, and rule violations are the decider's.
 */
export async function prepare(record: CommandRecord, serde: Serde, verifier: TokenVerifier, clock: DecisionClock = DEFAULT_DECISION_CLOCK): Promise<Prepared> {
  const deadLetter = (code: DeadLetterCode, message: string): Prepared => ({ kind: 'dead-letter', record, code, message });
  const decoded = await serde.decodeCommand(record.value);
  if (!decoded.ok) {
    if (decoded.code === 'REGISTRY_UNAVAILABLE') throw new DependencyUnavailable(decoded.message);
    return deadLetter(decoded.code, decoded.message);
  }
  const wire = decoded.value;
  const canonical = JSON.stringify(wire);
  if (canonical.includes('\\u0000')) return deadLetter('INVALID_TEXT', 'text fields must not contain NUL characters');
  if (!isUuid(wire.commandId)) return deadLetter('INVALID_ID', `commandId "${wire.commandId.slice(0, 64)}" ${UUID_RULE}`);
  if (!isUuid(wire.applicationId)) return deadLetter('INVALID_ID', `applicationId "${wire.applicationId.slice(0, 64)}" ${UUID_RULE}`);
  if (!record.key || record.key.length === 0) return deadLetter('MISSING_KEY', 'the record key must be the applicationId');
  if (record.key.toString('utf8') !== wire.applicationId) return deadLetter('KEY_MISMATCH', 'the record key differs from the body applicationId');

  const unverified = commandFromWire(wire);
  const appendedAt = Number(record.timestamp);
  const decidedAt = clock.appendTime && appendedAt > 0 ? appendedAt : Date.now();
  const admin = isAdminCommand(unverified)
    ? await verifyAdmin(verifier, unverified.adminToken, unverified.issuedAt, decidedAt, clock.skewMs)
    : null;
  const payloadHash = createHash('sha256').update(canonical).digest('hex');
  return { kind: 'command', record, command: withAdmin(unverified, admin), payloadHash };
}
