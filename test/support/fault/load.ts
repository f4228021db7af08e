import { Partitioners, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';
import type { CommandInput } from '../../../src/client/command-sender.ts';
import type { Topics } from '../../../src/config.ts';
import { listingIdOf } from './intents.ts';
import type { ContentType } from '../../../src/domain/types.ts';
import { uuidFromHex } from '../../../src/domain/ids.ts';
import { commandToWire, type UnverifiedCommand } from '../../../src/schemas/commands.ts';
import type { Serde } from '../../../src/schemas/serde.ts';
import { detailsFor, infoChangeContact, infoChangeHours, restaurantDetails } from '../../fixtures/details.ts';

/**
 * A mixed, reproducible command load: submits, amends, withdrawals, approvals, rejections,
 * INFO_CHANGE applications, racing decisions, refused tokens, invalid details, undecodable
 * bytes, exact redeliveries and reused idempotency keys. The generator keeps only a rough
 * model to make its commands plausible; what each one must do is the oracles' business: the
 * replay (oracle.ts) reads the bytes, the model of intents (intents.ts) reads what the generator
 * recorded of each record (its command as sent, its token's facts, or the dead letter it is).
 */

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the one who minted a token knows of it, without verifying it. */
export interface TokenFacts {
  token: string;
  subject: string;
  role: 'MASTER' | 'OWNER';
  /** `iat` and `exp` claims, in seconds. */
  issuedAt: number;
  expiresAt: number;
}

/**
 * What a record is, as the generator made it: a command (as sent, with the facts of the token a
 * decision carries and whether its details are valid), or bytes that must be dead-lettered.
 */
export type LoadSpec =
  | { kind: 'command'; command: UnverifiedCommand; token: TokenFacts | null; detailsValid: boolean }
  | { kind: 'dead-letter'; code: 'BAD_MAGIC_BYTE' | 'MALFORMED_AVRO' };

export interface LoadRecord {
  key: string | null;
  value: Buffer | null;
  /** What the generator meant by it: the summary's label. */
  intent: string;
  /** What the model of intents (intents.ts) reads instead of the bytes. */
  spec: LoadSpec;
}

export interface LoadTokens {
  masters: TokenFacts[];
  owner: TokenFacts;
  expired: TokenFacts;
}

interface ModelApplication {
  id: string;
  applicantId: string;
  contentType: ContentType;
  kind: 'NEW_LISTING' | 'INFO_CHANGE';
  open: boolean;
}

const CONTENT_TYPES: ContentType[] = ['RESTAURANT', 'PERFORMANCE', 'EXHIBITION'];

/** The partition kafkajs' default partitioner picks for a key (murmur2, as the Java client). */
export function partitionOf(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId): PartitionMetadata => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

export interface LoadOptions {
  seed: number;
  /** Records to generate (redeliveries and raced pairs included). */
  records: number;
  partitions: number;
  topics: Topics;
  serde: Serde;
  tokens: LoadTokens;
}

export function generateLoad(options: LoadOptions): LoadRecord[] {
  const rnd = random(options.seed);
  const pick = <T>(items: T[]): T => items[Math.floor(rnd() * items.length)]!;
  const uuid = (): string => {
    const bytes = Buffer.alloc(16);
    for (let index = 0; index < 16; index++) bytes[index] = Math.floor(rnd() * 256);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    return uuidFromHex(bytes.toString('hex'));
  };
  /** An id whose records land on `partition`, so a listing's whole story stays in one ordered log. */
  const uuidOn = (partition: number): string => {
    for (;;) {
      const id = uuid();
      if (partitionOf(id, options.partitions) === partition) return id;
    }
  };

  const records: LoadRecord[] = [];
  const sent: { key: string; value: Buffer; command: UnverifiedCommand; spec: LoadSpec }[] = [];
  const open: ModelApplication[] = [];
  const approvedListings: { listingId: string; ownerId: string; contentType: ContentType; partition: number }[] = [];
  const masters = options.tokens.masters.map((facts) => facts.token);
  const owners = Array.from({ length: 40 }, (_, index) => `owner-${options.seed % 1000}-${index}`);

  const tokenFacts = new Map([...options.tokens.masters, options.tokens.owner, options.tokens.expired].map((facts) => [facts.token, facts]));
  const emit = (command: CommandInput, intent: string) => {
    const full = { ...command, commandId: command.commandId ?? uuid(), issuedAt: command.issuedAt ?? Date.now() } as UnverifiedCommand;
    const value = options.serde.encode(options.topics.commands, commandToWire(full));
    const token = 'adminToken' in full ? tokenFacts.get(full.adminToken) ?? null : null;
    const spec: LoadSpec = { kind: 'command', command: full, token, detailsValid: intent !== 'submit-invalid' };
    records.push({ key: full.applicationId, value, intent, spec });
    sent.push({ key: full.applicationId, value, command: full, spec });
  };
  const closeModel = (application: ModelApplication) => {
    application.open = false;
    const index = open.indexOf(application);
    if (index >= 0) open.splice(index, 1);
  };
  const details = (contentType: ContentType, name: string) => {
    const base = detailsFor(contentType);
    return { ...base, name };
  };
  const decide = (application: ModelApplication, intent: 'approve' | 'reject', token: string) => {
    if (intent === 'approve') emit({ type: 'ApproveApplication', applicationId: application.id, adminToken: token, note: rnd() < 0.5 ? null : '확인 완료' }, 'approve');
    else emit({ type: 'RejectApplication', applicationId: application.id, adminToken: token, reason: pick(['서류 미비', 'missing photos', '  주소 불일치  ']) }, 'reject');
  };

  const operations: [number, () => void][] = [
    [26, () => {
      const contentType = pick(CONTENT_TYPES);
      const application: ModelApplication = { id: uuid(), applicantId: pick(owners), contentType, kind: 'NEW_LISTING', open: true };
      open.push(application);
      emit({ type: 'SubmitApplication', applicationId: application.id, applicantId: application.applicantId, kind: 'NEW_LISTING', listingId: null, contentType, details: details(contentType, `venue ${records.length}`) }, 'submit');
    }],
    [3, () => {
      emit({ type: 'SubmitApplication', applicationId: uuid(), applicantId: pick(owners), kind: 'NEW_LISTING', listingId: null, contentType: 'RESTAURANT', details: restaurantDetails({ contact: { phone: 'call me maybe' } }) }, 'submit-invalid');
    }],
    [10, () => {
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      const applicantId = rnd() < 0.1 ? pick(owners) : application.applicantId;
      const next = application.kind === 'INFO_CHANGE'
        ? (rnd() < 0.5 ? infoChangeHours() : infoChangeContact())
        : details(application.contentType, `amended ${records.length}`);
      emit({ type: 'AmendApplication', applicationId: application.id, applicantId, details: next }, 'amend');
    }],
    [4, () => {
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      emit({ type: 'WithdrawApplication', applicationId: application.id, applicantId: application.applicantId }, 'withdraw');
      closeModel(application);
    }],
    [18, () => {
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      decide(application, 'approve', pick(masters));
      closeModel(application);
      if (application.kind === 'NEW_LISTING') {
        approvedListings.push({ listingId: listingIdOf(application.id), ownerId: application.applicantId, contentType: application.contentType, partition: partitionOf(application.id, options.partitions) });
      }
    }],
    [8, () => {
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      decide(application, 'reject', pick(masters));
      closeModel(application);
    }],
    [1.5, () => {
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      emit({ type: 'RejectApplication', applicationId: application.id, adminToken: pick(masters), reason: '   ' }, 'reject-blank');
    }],
    [3, () => {
      // Two admins decide the same application back to back: the first wins, the second is NOT_PENDING.
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      decide(application, 'approve', masters[0]!);
      decide(application, 'reject', masters[1 % masters.length]!);
      closeModel(application);
    }],
    [3, () => {
      const application = open.length > 0 ? pick(open) : null;
      if (!application) return;
      const refused = pick(['owner', 'expired', 'future'] as const);
      if (refused === 'future') {
        emit({ type: 'ApproveApplication', applicationId: application.id, adminToken: masters[0]!, note: null, issuedAt: Date.now() + 3_600_000 }, 'approve-future');
      } else {
        emit({ type: 'ApproveApplication', applicationId: application.id, adminToken: refused === 'owner' ? options.tokens.owner.token : options.tokens.expired.token, note: null }, `approve-${refused}`);
      }
    }],
    [8, () => {
      // An INFO_CHANGE lives on its listing's partition, so its outcome never depends on cross-partition timing.
      if (approvedListings.length === 0) return;
      const listing = pick(approvedListings);
      const application: ModelApplication = { id: uuidOn(listing.partition), applicantId: rnd() < 0.08 ? pick(owners) : listing.ownerId, contentType: listing.contentType, kind: 'INFO_CHANGE', open: true };
      open.push(application);
      emit({ type: 'SubmitApplication', applicationId: application.id, applicantId: application.applicantId, kind: 'INFO_CHANGE', listingId: listing.listingId, contentType: listing.contentType, details: rnd() < 0.5 ? infoChangeHours() : infoChangeContact() }, 'submit-info-change');
    }],
    [2, () => {
      emit({ type: 'WithdrawApplication', applicationId: uuid(), applicantId: pick(owners) }, 'withdraw-missing');
    }],
    [6, () => {
      if (sent.length === 0) return;
      const earlier = pick(sent);
      records.push({ key: earlier.key, value: earlier.value, intent: 'redelivery', spec: earlier.spec });
    }],
    [1.5, () => {
      // The same commandId with another payload (same application, so the same partition).
      if (sent.length === 0) return;
      const earlier = pick(sent).command;
      emit({ type: 'WithdrawApplication', applicationId: earlier.applicationId, applicantId: `someone-else-${records.length}`, commandId: earlier.commandId }, 'reused-key');
    }],
    [1, () => {
      const key = open.length > 0 && rnd() < 0.5 ? pick(open).id : uuid();
      const bytes = Buffer.alloc(8 + Math.floor(rnd() * 40));
      for (let index = 0; index < bytes.length; index++) bytes[index] = Math.floor(rnd() * 256);
      const earlier = rnd() < 0.5 ? (sent.length > 0 ? pick(sent).value : null) : undefined;
      if (earlier) {
        // Right header, Avro body cut short.
        records.push({ key, value: earlier.subarray(0, Math.max(6, Math.floor(earlier.length / 3))), intent: 'truncated', spec: { kind: 'dead-letter', code: 'MALFORMED_AVRO' } });
      } else {
        // Not the wire format at all (also where nothing was sent yet to cut short).
        bytes[0] = 0x7b;
        records.push({ key, value: bytes, intent: 'garbage', spec: { kind: 'dead-letter', code: 'BAD_MAGIC_BYTE' } });
      }
    }],
  ];
  const totalWeight = operations.reduce((sum, [weight]) => sum + weight, 0);
  while (records.length < options.records) {
    let roll = rnd() * totalWeight;
    for (const [weight, operation] of operations) {
      roll -= weight;
      if (roll <= 0) { operation(); break; }
    }
  }
  return records.slice(0, options.records);
}

export interface SendStats {
  sent: number;
  durationMs: number;
  /** Chunks sent again after a failed send (only with `persistMs`). */
  resends: number;
}

/**
 * Sends the records in order at about `ratePerSecond`, in chunks, each acknowledged by the
 * broker (acks -1) before the next: per-key order is the order of the array. With `persistMs`,
 * a chunk whose send fails (the broker is away) is sent again until acknowledged, for up to that
 * long: a producer that keeps its records, as a real one would. A chunk that reached the log
 * before its acknowledgement was lost is then there twice, which the oracle reads as exact
 * redeliveries.
 */
export async function sendPaced(
  producer: Producer, topic: string, records: LoadRecord[],
  options: { ratePerSecond: number; chunk?: number; onProgress?: (sent: number) => void; stop?: () => boolean; persistMs?: number },
): Promise<SendStats> {
  const chunk = options.chunk ?? 100;
  const started = Date.now();
  let sent = 0;
  let resends = 0;
  for (let index = 0; index < records.length; index += chunk) {
    if (options.stop?.()) break;
    const slice = records.slice(index, index + chunk);
    const messages = slice.map(({ key, value }) => ({ key, value }));
    // eslint-disable-next-line honesty/no-default-figure -- an option's default (do not keep records through an outage), not a measured figure
    const giveUpAt = Date.now() + (options.persistMs ?? 0);
    for (;;) {
      try {
        await producer.send({ topic, acks: -1, messages });
        break;
      } catch (error) {
        if (Date.now() >= giveUpAt) throw error;
        resends += 1;
        // The producer's own retries are spent: the broker is still away. Try again shortly.
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    sent += slice.length;
    options.onProgress?.(sent);
    const due = started + (sent / options.ratePerSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { sent, durationMs: Date.now() - started, resends };
}

/**
 * `wholeSends`: no retry inside kafkajs, for a cluster whose leaders move. Its retry of a send
 * spanning several brokers skips the partitions that moved onto a broker that already answered
 * (see Publisher), and resolves: a chunk partly never written. With it, a failed send fails
 * whole and `sendPaced` (given `persistMs`) sends the chunk again.
 */
export function loadProducer(kafka: Kafka, options: { wholeSends?: boolean } = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1, allowAutoTopicCreation: false, ...(options.wholeSends ? { retry: { retries: 0 } } : {}),
  });
}
