import { createHash } from 'node:crypto';
import type { Serde } from '../schemas/serde.ts';
import { commandFromWire, withAdmin } from '../schemas/commands.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { AdminAuth, Command } from './decider/types.ts';

/** One record off the command topic, as kafkajs hands it over. */
export interface CommandRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
}

export type DeadLetterCode =
  | 'EMPTY_VALUE' | 'BAD_MAGIC_BYTE' | 'UNKNOWN_SCHEMA' | 'INCOMPATIBLE_SCHEMA' | 'MALFORMED_AVRO'
  | 'MISSING_KEY' | 'KEY_MISMATCH' | 'INVALID_ID' | 'INVALID_TEXT'
  /** Decoded, but PostgreSQL refuses to store it (see poison.ts). */
  | 'UNWRITABLE';

export type Prepared =
  | { kind: 'dead-letter'; record: CommandRecord; code: DeadLetterCode; message: string }
  | { kind: 'command'; record: CommandRecord; command: Command; payloadHash: string };

/** Thrown when a dependency (the registry) is away: the batch must wait, not dead-letter. */
export class DependencyUnavailable extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/** Future-dated commands would let a token be checked against a time of the sender's choosing. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

async function verifyAdmin(verifier: TokenVerifier, token: string, issuedAt: number, receivedAt: number): Promise<AdminAuth> {
  if (issuedAt > receivedAt + MAX_CLOCK_SKEW_MS) return { ok: false, adminId: null, reason: 'issuedAt lies in the future' };
  const verdict = await verifier.verify(token, new Date(issuedAt));
  if (!verdict.ok) return { ok: false, adminId: verdict.subject, reason: verdict.reason };
  if (verdict.principal.role !== 'MASTER') return { ok: false, adminId: verdict.principal.subject, reason: `role ${verdict.principal.role} may not decide` };
  return { ok: true, adminId: verdict.principal.subject };
}

/**
 * Turns a record into a command the decider can take, or into a dead letter with a reason.
 * Everything that cannot be addressed to an application (no key, bad ids, undecodable bytes)
 * dead-letters; everything else becomes a command, and rule violations are the decider's.
 */
export async function prepare(record: CommandRecord, serde: Serde, verifier: TokenVerifier): Promise<Prepared> {
  const deadLetter = (code: DeadLetterCode, message: string): Prepared => ({ kind: 'dead-letter', record, code, message });
  const decoded = await serde.decodeCommand(record.value);
  if (!decoded.ok) {
    if (decoded.code === 'REGISTRY_UNAVAILABLE') throw new DependencyUnavailable(decoded.message);
    return deadLetter(decoded.code, decoded.message);
  }
  const wire = decoded.value;
  const canonical = JSON.stringify(wire);
  if (canonical.includes('\\u0000')) return deadLetter('INVALID_TEXT', 'text fields must not contain NUL characters');
  if (!isUuid(wire.commandId)) return deadLetter('INVALID_ID', `commandId "${wire.commandId.slice(0, 64)}" is not a UUID`);
  if (!isUuid(wire.applicationId)) return deadLetter('INVALID_ID', `applicationId "${wire.applicationId.slice(0, 64)}" is not a UUID`);
  if (!record.key || record.key.length === 0) return deadLetter('MISSING_KEY', 'the record key must be the applicationId');
  if (record.key.toString('utf8') !== wire.applicationId) return deadLetter('KEY_MISMATCH', 'the record key differs from the body applicationId');

  const unverified = commandFromWire(wire);
  // The record timestamp is the producer's to choose (CreateTime): a sender that dates both the
  // command and the record in the future would pass the skew check against it. The processor's
  // clock bounds it; replays of old records keep their (earlier) timestamps.
  const receivedAt = Math.min(Number(record.timestamp) || Date.now(), Date.now());
  const admin = unverified.type === 'ApproveApplication' || unverified.type === 'RejectApplication'
    ? await verifyAdmin(verifier, unverified.adminToken, unverified.issuedAt, receivedAt)
    : null;
  const payloadHash = createHash('sha256').update(canonical).digest('hex');
  return { kind: 'command', record, command: withAdmin(unverified, admin), payloadHash };
}
