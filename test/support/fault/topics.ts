import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import type { EmbeddedBroker } from '../../../dev/stack/broker.ts';
import type { EmbeddedMokapi } from '../../../dev/stack/mokapi.ts';

export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

const headersOf = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : String(value)]));

/**
 * Everything on `topics` up to the end offsets they have when the call starts, undecoded, in
 * per-partition offset order. A throw-away consumer group reads from the beginning; if its
 * consumer crashes or stalls, a fresh group starts over (the result is the same either way).
 */
export async function readTopics(kafka: Kafka, topics: string[], timeoutMs = 60_000, attempts = 3): Promise<Map<string, RawRecord[]>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(end.high) > BigInt(end.low)) ends.set(`${topic}/${end.partition}`, BigInt(end.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const failures: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await readOnce(kafka, topics, ends, timeoutMs);
    } catch (error) {
      failures.push(`attempt ${attempt}: ${(error as Error).message}`);
    }
  }
  throw new Error(`reading ${topics.join(', ')} failed: ${failures.join('; ')}`);
}

async function readOnce(kafka: Kafka, topics: string[], ends: Map<string, bigint>, timeoutMs: number): Promise<Map<string, RawRecord[]>> {
  const wanted = new Map(ends);
  const seen = new Set<string>();
  const result = new Map<string, RawRecord[]>(topics.map((topic) => [topic, []]));
  if (wanted.size === 0) return result;
  const consumer = kafka.consumer({ groupId: `fault-reader-${randomUUID()}`, maxWaitTimeInMs: 100, maxBytesPerPartition: 4 * 1_048_576, sessionTimeout: 30_000, retry: { retries: 3 } });
  let crashed: ((error: Error) => void) | null = null;
  consumer.on(consumer.events.CRASH, ({ payload }) => crashed?.(payload.error));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${wanted.size} partition(s) not read to their end within ${timeoutMs} ms`)), timeoutMs);
      crashed = (error) => { clearTimeout(timer); reject(new Error(`reader crashed: ${error.message}`)); };
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const name = `${batch.topic}/${batch.partition}`;
          const end = wanted.get(name);
          for (const message of batch.messages) {
            if (end === undefined || BigInt(message.offset) >= end) break;
            // A re-fetch after a rebalance inside the reader must not look like a second publish.
            const at = `${name}/${message.offset}`;
            if (seen.has(at)) continue;
            seen.add(at);
            result.get(batch.topic)!.push({
              topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp,
              key: message.key, value: message.value, headers: headersOf(message.headers),
            });
            if (BigInt(message.offset) + 1n >= end) wanted.delete(name);
          }
          if (wanted.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  for (const records of result.values()) records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  return result;
}

/** Where a group's offsets can be read: any admin client on Kafka, the HTTP API on go-mokapi. */
export interface GroupSource { kafka: Kafka; broker: EmbeddedBroker }

/**
 * Committed offsets of a consumer group on a topic, by partition. Kafka answers OffsetFetch to
 * any admin client; go-mokapi only to members of the group, so there they come from its HTTP API.
 */
export async function committedOffsets(source: GroupSource, groupId: string, topic: string): Promise<Map<number, bigint>> {
  if (source.broker.kind === 'go-mokapi') return mokapiCommits((source.broker as EmbeddedMokapi).apiPort, groupId, topic);
  const admin = source.kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).filter((entry) => Number(entry.offset) >= 0).map((entry) => [entry.partition, BigInt(entry.offset)]));
  } finally {
    await admin.disconnect();
  }
}

async function mokapiCommits(apiPort: number, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/api/metrics`, { signal: AbortSignal.timeout(5000) });
  const metrics = await response.json() as { name: string; value: number }[];
  const result = new Map<number, bigint>();
  for (const { name, value } of metrics) {
    const match = /^kafka_consumer_group_commit\{.*group="([^"]*)",topic="([^"]*)",partition="(\d+)"\}$/.exec(name);
    if (match && match[1] === groupId && match[2] === topic) result.set(Number(match[3]), BigInt(value));
  }
  return result;
}

export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((end) => [end.partition, BigInt(end.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Sum of a group's committed offsets and of the end offsets on a topic: lag = end - committed. */
export async function groupPosition(source: GroupSource, groupId: string, topic: string): Promise<{ committed: bigint; end: bigint }> {
  const [committed, ends] = await Promise.all([committedOffsets(source, groupId, topic), endOffsets(source.kafka, topic)]);
  let committedSum = 0n;
  let endSum = 0n;
  for (const [partition, end] of ends) {
    endSum += end;
    const offset = committed.get(partition) ?? -1n;
    committedSum += offset < 0n ? 0n : offset;
  }
  return { committed: committedSum, end: endSum };
}

/** The broker's view of its consumer groups (state, members), for post-mortems. */
export async function brokerGroups(kafka: Kafka): Promise<unknown> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    return (await admin.describeGroups(groups.map((group) => group.groupId))).groups
      .map(({ groupId, state, protocol, members }) => ({ groupId, state, protocol, members: members.map((member) => member.clientId) }));
  } catch (error) {
    return { unavailable: String(error) };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
