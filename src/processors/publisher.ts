import type { ICustomPartitioner, Message, Producer, ProducerConfig, RecordMetadata, TopicMessages } from 'kafkajs';

export type PublisherProducerConfig = Required<Pick<ProducerConfig, 'idempotent' | 'maxInFlightRequests' | 'retry' | 'createPartitioner'>>;

interface Waiting {
  topicMessages: TopicMessages[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * One send in flight at a time, carrying everything the partitions handed over meanwhile; a failed
 * send fails whole, and the relay sends all of it again with a fresh producer.
 *
 * The producer neither retries inside kafkajs nor is idempotent, because kafkajs 2.2.4's retry is
 * where records were lost on the replicated cluster (docs/reliability.md), in three ways:
 * - its retry of a send that spans several brokers goes again only to the brokers that have not
 *   answered yet, with the partitions grouped by their leaders as they are by then: partitions
 *   whose leader moved onto a broker that had already answered are sent nowhere, and the send
 *   resolves as if all was written;
 * - its idempotent producer takes back the sequence numbers of a failed send, so when the broker
 *   had written the batch and only the answer was lost, the next send reuses them and the broker
 *   drops it as a retry while answering success;
 * - a retry that starts while another broker's request of the first attempt is still in flight
 *   leaves the sequences behind the broker's when that request fails afterwards (the rolling
 *   restart lost 39 and 47 events that way).
 * Without sequence numbers a broker never drops a batch as a duplicate, and without kafkajs's
 * retry every failure reaches the relay, which sends everything again: what had been written comes
 * out twice, byte for byte, under the same eventId, which consumers dedupe; nothing is lost.
 * One send at a time keeps each partition's order; acks=all with min.insync.replicas makes an
 * acknowledgement durable.
 *
 * The acknowledgements are still checked against the partitions the send assigned messages to: a
 * send resolved without naming each of them fails, in case a kafkajs upgrade brings any of that
 * back.
 */
export class Publisher {
  private readonly create: () => Producer;
  private producer: Promise<Producer> | null = null;
  private waiting: Waiting[] = [];
  private busy = false;
  private sending: Promise<void> = Promise.resolve();
  /** `topic/partition` of every message of the send in flight (there is one at a time). */
  private readonly assigned = new Set<string>();

  /** `create` builds a producer with the settings it is handed (the partitioner among them: `partitioner`, watched). */
  constructor(create: (settings: PublisherProducerConfig) => Producer, partitioner: ICustomPartitioner) {
    const watched: ICustomPartitioner = () => {
      const inner = partitioner();
      return (args) => {
        const partition = inner(args);
        this.assigned.add(`${args.topic}/${partition}`);
        return partition;
      };
    };
    this.create = () => create({ idempotent: false, maxInFlightRequests: 1, retry: { retries: 0 }, createPartitioner: watched });
  }

  /** Resolves once the broker acknowledged every message (acks=all), rejects if the send failed. */
  send(topicMessages: TopicMessages[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ topicMessages, resolve, reject });
      if (!this.busy) this.sending = this.sendAll();
    });
  }

  async stop(): Promise<void> {
    await this.sending;
    const producer = this.producer;
    this.producer = null;
    await (await producer?.catch(() => null))?.disconnect();
  }

  private async sendAll(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) {
      const taken = this.waiting;
      this.waiting = [];
      try {
        const producer = await this.connected();
        for (const part of requestSized(taken.flatMap((waiting) => waiting.topicMessages))) {
          this.assigned.clear();
          const acknowledged = await producer.sendBatch({ acks: -1, topicMessages: part });
          const skipped = unacknowledged(this.assigned, acknowledged);
          if (skipped.length > 0) throw new Error(`kafkajs resolved a send without an acknowledgement for ${skipped.join(', ')}; sending it again`);
        }
        for (const waiting of taken) waiting.resolve();
      } catch (error) {
        this.discard();
        for (const waiting of taken) waiting.reject(error);
      }
    }
    // No await between the loop's last look and this: a send handed over meanwhile starts a new loop.
    this.busy = false;
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.create();
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }

  private discard(): void {
    const producer = this.producer;
    this.producer = null;
    void producer?.then((stale) => stale.disconnect()).catch(() => undefined);
  }
}

/**
 * Bytes of keys, values and headers one request carries at most. kafkajs puts all of a send's
 * messages for a partition in one record batch, and the broker refuses a batch over the topic's
 * max.message.bytes (1 MiB by default) with MESSAGE_TOO_LARGE: under a backlog, coalesced rounds
 * put more than that on one partition (every reviewers' notification has the same key), and the
 * relay sent everything again and again. Even if every message lands on one partition, a request
 * of this size stays below the default, with room for the per-record overhead.
 */
export const REQUEST_BYTES = 768 * 1024;

const RECORD_OVERHEAD = 64;

const sizeOf = (message: Message) => {
  let bytes = RECORD_OVERHEAD + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += name.length;
    for (const part of Array.isArray(value) ? value : [value]) bytes += byteLength(part);
  }
  return bytes;
};

const byteLength = (value: string | Buffer | null | undefined) => (value === null || value === undefined ? 0 : Buffer.byteLength(value));

/**
 * The messages in requests of at most REQUEST_BYTES, in their order: sent one after the other, a
 * partition's messages keep their order. A message larger than that goes alone (the dead-letter
 * topic takes records of up to 2 MiB).
 */
export function requestSized(topicMessages: TopicMessages[]): TopicMessages[][] {
  const parts: TopicMessages[][] = [];
  let part: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = sizeOf(message);
      if (bytes > 0 && bytes + size > REQUEST_BYTES) {
        parts.push(part);
        part = [];
        bytes = 0;
      }
      const last = part[part.length - 1];
      if (last?.topic === topic) last.messages.push(message);
      else part.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** The partitions a send assigned messages to that no acknowledgement of it names. */
export const unacknowledged = (assigned: ReadonlySet<string>, acknowledged: RecordMetadata[]): string[] => {
  const named = new Set(acknowledged.map((ack) => `${ack.topicName}/${ack.partition}`));
  return [...assigned].filter((partition) => !named.has(partition)).sort();
};
