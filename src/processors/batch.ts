import type { Topics } from '../config.ts';
import type { Serde } from '../schemas/serde.ts';
import type { RoundPool } from '../store/round-pool.ts';
import { loadedFrom, loadQuery, storedFrom, writeQuery, type BatchAsk, type BatchLoad, type BatchWrite, type OutboxMessage, type StoredOutboxMessage } from '../store/batch-store.ts';
import { uuidV5 } from './decider/index.ts';
import { BatchView } from './batch-fold.ts';
import type { Command, DomainEvent } from '../domain/types.ts';
import { isUuid } from '../domain/ids.ts';
import type { Prepared } from './envelope.ts';
import { PartitionMoved } from './runtime/epochs.ts';
import { outcomeOf } from './outcome.ts';

/** Where a record came from, for logs that an operator can follow back to the topic. */
interface RecordRef { partition: number; offset: string; timestamp: string; commandId?: string; applicationId?: string }

export type CommandResult = RecordRef & (
  | { outcome: 'accepted' | 'rejected'; type: Command['type']; code?: string }
  | { outcome: 'duplicate'; type: Command['type'] }
  | { outcome: 'dlq'; type: 'unknown'; code: string });

export interface BatchResult {
  published: StoredOutboxMessage[];
  results: CommandResult[];
}

const isRejection = (event: DomainEvent): event is Extract<DomainEvent, { type: 'CommandRejected' }> => event.type === 'CommandRejected';

const DLQ_ID_NAMESPACE = '5b0e3f0c-8c1e-4d7a-bb1b-6f2f0f4bb7d9';

/**
 * Header text PostgreSQL's jsonb and every Kafka client accept: a message quoting the record (a
 * sliced id can end in half a surrogate pair) must not make the dead letter itself unwritable.
 */
const headerText = (text: string, max: number) => text.slice(0, max).toWellFormed().replaceAll('\u0000', '\uFFFD');

function deadLetterMessage(prepared: Extract<Prepared, { kind: 'dead-letter' }>, topics: Topics): OutboxMessage {
  const { record } = prepared;
  return {
    eventId: uuidV5(`${topics.commands}/${record.partition}/${record.offset}`, DLQ_ID_NAMESPACE),
    sourcePartition: record.partition,
    topic: topics.dlq,
    key: record.key,
    value: record.value && record.value.length > 0 ? record.value : null,
    headers: {
      'error.code': prepared.code,
      'error.message': headerText(prepared.message, 1000),
      'source.topic': topics.commands,
      'source.partition': String(record.partition),
      'source.offset': record.offset,
      ...record.trace,
    },
  };
}

export interface Claim { partition: number; token: string }

type Commands = Extract<Prepared, { kind: 'command' }>[];

/** What a round reads: every partition's claim, and what its commands touch. */
function askOf(commands: Commands, claims: readonly Claim[]): BatchAsk {
  const listingIds = new Set<string>();
  for (const { command } of commands) if (command.type === 'SubmitApplication' && command.listingId && isUuid(command.listingId)) listingIds.add(command.listingId);
  return {
    claims, applicationIds: [...new Set(commands.map((p) => p.command.applicationId))].sort(),
    commandIds: commands.map((p) => p.command.commandId), listingIds: [...listingIds].sort(),
  };
}

/** The round's records decided in order over what it loaded: what to write, and each record's result. */
export function foldRound(prepared: Prepared[], load: BatchLoad, deps: { serde: Serde; topics: Topics; reviewClaimMinutes: number }, at: number): { write: BatchWrite; results: CommandResult[] } {
  const { topics } = deps;
  const view = new BatchView(load, deps.reviewClaimMinutes * 60_000);
  const write: BatchWrite = { applications: [], listings: [], processed: [], adminActions: [], events: [], outbox: [], deadLetters: [], reviewerNotes: [] };
  const results: CommandResult[] = [];
  for (const item of prepared) {
    if (item.kind === 'dead-letter') {
      const letter = deadLetterMessage(item, topics);
      write.outbox.push(letter);
      // The gateway keys a command by its applicationId and records the bytes it sent.
      const key = item.record.key?.toString('utf8');
      if (key !== undefined && isUuid(key) && letter.value !== null) {
        write.deadLetters.push({
          applicationId: key, value: letter.value, code: item.code, message: letter.headers['error.message']!,
          sourcePartition: item.record.partition, sourceOffset: item.record.offset,
        });
      }
      results.push({ outcome: 'dlq', type: 'unknown', code: item.code, partition: item.record.partition, offset: item.record.offset, timestamp: item.record.timestamp });
      continue;
    }
    const { command, payloadHash, record } = item;
    const ref = { partition: record.partition, offset: record.offset, timestamp: record.timestamp, commandId: command.commandId, applicationId: command.applicationId };
    const step = view.fold(command, payloadHash, at);
    if (step.outcome === 'duplicate') {
      results.push({ ...ref, outcome: 'duplicate', type: command.type });
      continue;
    }
    const outcome = outcomeOf(step.decided, topics);
    write.events.push(...outcome.events);
    write.adminActions.push(...outcome.adminActions);
    write.reviewerNotes.push(...outcome.reviewerNotes);
    for (const message of outcome.messages) {
      write.outbox.push({ eventId: message.eventId, sourcePartition: record.partition, topic: message.topic, key: Buffer.from(message.key), value: deps.serde.encode(message.topic, message.value), headers: record.trace });
    }
    const rejection = step.decided.events.find(isRejection);
    if (step.outcome === 'decided') {
      write.processed.push({
        commandId: command.commandId, payloadHash, applicationId: command.applicationId, commandType: command.type,
        outcome: rejection ? `REJECTED:${rejection.code}` : 'ACCEPTED', sourcePartition: record.partition, sourceOffset: record.offset, processedAt: at,
      });
    }
    results.push({ ...ref, outcome: rejection ? 'rejected' : 'accepted', type: command.type, ...(rejection && { code: rejection.code }) });
  }
  write.applications = [...view.changedApplications].map((id) => view.applications.get(id)!);
  write.listings = [...view.changedListings].map((id) => view.listings.get(id)!);
  return { write, results };
}

/**
 * Applies the records of one or more partitions in one transaction: check every partition's
 * claim, dedupe by commandId, lock and load what they touch, decide in order (each partition's
 * records in offset order, partitions one after the other: a valid serial order, since a
 * partition's records touch only its own applications), then write state, history, audit and
 * outbox together. Two round trips: BEGIN with the load, the write with COMMIT (src/store/round-pool.ts).
 */
export async function applyBatch(prepared: Prepared[], deps: { rounds: RoundPool; serde: Serde; topics: Topics; reviewClaimMinutes: number }, claims: readonly Claim[]): Promise<BatchResult> {
  const commands = prepared.filter((p): p is Commands[number] => p.kind === 'command');
  const at = Date.now();
  const { rows, round } = await deps.rounds.begin(loadQuery(askOf(commands, claims)));
  try {
    const load = loadedFrom(rows);
    if (load.moved.length > 0) {
      throw new PartitionMoved(`partitions ${load.moved.join(', ')} were claimed by another instance; this batch is not applied here`, load.moved);
    }
    const { write, results } = foldRound(prepared, load, deps, at);
    return { published: storedFrom(await round.commitWith(writeQuery(write)), write), results };
  } finally {
    await round.abandon();
  }
}
