import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';

export interface PartitionEnd { partition: number; high: string; low: string }
export interface CommittedOffset { partition: number; offset: string }

/**
 * Lag of one consumer group on one topic, per partition: the records between the group's committed
 * offset and the partition's end. A partition the group never committed lags by everything still on
 * it (the processor subscribes from the beginning); a committed offset past the end (after the topic
 * was recreated or truncated) counts as no lag rather than a negative one.
 */
export function lagByPartition(ends: PartitionEnd[], committed: CommittedOffset[]): Map<number, number> {
  const byPartition = new Map(committed.map((entry) => [entry.partition, BigInt(entry.offset)]));
  const lag = new Map<number, number>();
  for (const end of ends) {
    const high = BigInt(end.high);
    const from = byPartition.get(end.partition);
    const start = from === undefined || from < 0n ? BigInt(end.low) : from;
    lag.set(end.partition, Number(high > start ? high - start : 0n));
  }
  return lag;
}

/**
 * What this instance's own consumer committed, from kafkajs instrumentation events, restricted to
 * the partitions it is currently assigned. Only used where the broker will not tell a non-member
 * the group's offsets (see consumerLagCollector).
 */
function ownCommits(consumer: Consumer) {
  let assignment: Record<string, number[]> = {};
  /** topic -> partition -> next offset to read, as committed. */
  const committed = new Map<string, Map<number, string>>();
  const removers = [
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assignment = payload.memberAssignment;
    }),
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { topic, partitions } of payload.topics) {
        const byPartition = committed.get(topic) ?? new Map<number, string>();
        for (const { partition, offset } of partitions) byPartition.set(partition, offset);
        committed.set(topic, byPartition);
      }
    }),
    consumer.on(consumer.events.STOP, () => { assignment = {}; }),
    consumer.on(consumer.events.CRASH, () => { assignment = {}; }),
  ];
  return {
    /**
     * Lag of the assigned partitions. One this instance has not committed yet counts from its low
     * watermark, like a group that never committed: exact for a fresh group, an overestimate that
     * lasts until the first commit when an earlier member had committed it.
     */
    lag(topic: string, ends: PartitionEnd[]): Map<number, number> {
      const assigned = new Set(assignment[topic] ?? []);
      const offsets = [...(committed.get(topic) ?? [])].map(([partition, offset]) => ({ partition, offset }));
      return lagByPartition(ends.filter((end) => assigned.has(end.partition)), offsets);
    },
    close: () => removers.forEach((remove) => remove()),
  };
}

/** Kafka answers OffsetFetch to anyone; some development brokers only to members of the group. */
const isNonMemberRefusal = (error: unknown): boolean => {
  for (let current = error as { type?: unknown; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (current.type === 'UNKNOWN_MEMBER_ID') return true;
  }
  return false;
};

/**
 * Publishes backoffice_consumer_lag_messages per partition of the given topics, polled:
 *
 * - end offsets come from ListOffsets (kafkajs admin fetchTopicOffsets);
 * - committed offsets come from OffsetFetch for the group (admin fetchOffsets), the same view
 *   `kafka-consumer-groups.sh --describe` gives: every instance reports every partition;
 * - given the consumer (the service does so only with KAFKA_BROKER_QUIRKS=go-mokapi), a broker
 *   that refuses OffsetFetch to non-members makes the collector fall back, once and for good, to
 *   the offsets this instance's consumer committed, for the partitions assigned to it; every
 *   instance then reports its own partitions. Apache Kafka answers anyone.
 *
 * Either way `max by (topic, partition)` across instances is the group's lag.
 */
export function consumerLagCollector(deps: { kafka: Kafka; consumer?: Consumer; groupId: string; topics: string[]; metrics: Metrics; logger: Logger }) {
  let admin: Admin | null = null;
  const own = deps.consumer ? ownCommits(deps.consumer) : null;
  let source: 'group' | 'own-commits' = 'group';

  const connected = async (): Promise<Admin> => {
    if (admin) return admin;
    // A poll must stay short: a few quick retries, then the next interval tries again.
    const client = deps.kafka.admin({ retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
    await client.connect();
    admin = client;
    return client;
  };

  async function groupOffsets(client: Admin): Promise<Map<string, CommittedOffset[]> | null> {
    try {
      const committed = await client.fetchOffsets({ groupId: deps.groupId, topics: deps.topics });
      return new Map(committed.map((entry) => [entry.topic, entry.partitions]));
    } catch (error) {
      if (!own || !isNonMemberRefusal(error)) throw error;
      source = 'own-commits';
      deps.logger.info({ groupId: deps.groupId }, 'the broker answers OffsetFetch only to group members; consumer lag now comes from this instance\'s own commits');
      return null;
    }
  }

  return {
    source: () => source,
    async poll(): Promise<void> {
      try {
        const client = await connected();
        const ends = new Map<string, PartitionEnd[]>();
        for (const topic of deps.topics) ends.set(topic, await client.fetchTopicOffsets(topic));
        const committed = source === 'group' ? await groupOffsets(client) : null;
        const lags: { topic: string; partition: number; lag: number }[] = [];
        for (const topic of deps.topics) {
          const topicEnds = ends.get(topic) ?? [];
          const byPartition = committed ? lagByPartition(topicEnds, committed.get(topic) ?? []) : own!.lag(topic, topicEnds);
          for (const [partition, lag] of byPartition) lags.push({ topic, partition, lag });
        }
        // Reset and set in one synchronous step: a scrape never sees a half-updated set of partitions.
        deps.metrics.consumerLag.reset();
        for (const { topic, partition, lag } of lags) deps.metrics.consumerLag.set({ group: deps.groupId, topic, partition: String(partition) }, lag);
      } catch (error) {
        // A broken connection is dropped so that the next poll starts afresh.
        const broken = admin;
        admin = null;
        await broken?.disconnect().catch(() => {});
        throw error;
      }
    },
    async close(): Promise<void> {
      own?.close();
      const open = admin;
      admin = null;
      await open?.disconnect().catch(() => {});
    },
  };
}
