import type { ICustomPartitioner, Producer, RecordMetadata, TopicMessages } from 'kafkajs';

interface Waiting {
  topicMessages: TopicMessages[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * One send in flight at a time, carrying everything the partitions handed over meanwhile, and a
 * fresh producer (a new producer id) after any failed send.
 *
 * Written here because kafkajs 2.2.4's idempotent producer takes back the sequence numbers of a
 * send that failed. When the broker had written that batch and only its answer was lost, the next
 * send reuses the numbers; the broker takes it for a retry of the first, answers success and
 * writes nothing, and the outbox would mark rows published that no consumer ever sees. A new
 * producer id starts a new sequence, and with one send at a time no other send can be caught
 * between the failure and the replacement.
 *
 * And because its retry of a send that spans several brokers goes again only to the brokers that
 * have not answered yet, with the partitions grouped by their leaders as they are by then: when a
 * leader moved (its broker died or shut down) onto a broker that had already answered for its own
 * partitions, the moved partitions are sent nowhere and the send resolves as if all was written
 * (found by the hard bounce and rolling restart scenarios on the replicated cluster: outbox rows
 * marked published, never on the topic). So the partitioner the producer is given notes every
 * partition the send assigns a message to, and a send whose acknowledgements do not name each of
 * them fails, as any failed send does: the relay sends all of it again with a fresh producer, and
 * what was written twice is the same bytes under the same eventId.
 *
 * And because that retry starts while the first attempt's requests to other brokers may still be
 * in flight: one of them failing afterwards takes back sequence numbers the retry has already
 * used again, and the producer leaves a send that succeeded with its numbers behind the broker's.
 * Its next send to that partition then reuses numbers the broker holds: refused as out of order,
 * or, when the batch has the same size, taken for a retry and dropped, yet acknowledged (the
 * rolling restart lost 47 events that way with the check above in place). The partitioner is
 * asked once per message and attempt, so a send it was asked about more often than it has
 * messages was retried inside kafkajs: its producer is replaced once it returns.
 */
export class Publisher {
  private readonly create: () => Producer;
  private producer: Promise<Producer> | null = null;
  private waiting: Waiting[] = [];
  private busy = false;
  private sending: Promise<void> = Promise.resolve();
  /** `topic/partition` of every message of the send in flight (there is one at a time). */
  private readonly assigned = new Set<string>();
  /** How often the partitioner was asked during the send in flight. */
  private assignments = 0;

  /** `create` builds a producer with the partitioner it is handed: `partitioner`, watched. */
  constructor(create: (createPartitioner: ICustomPartitioner) => Producer, partitioner: ICustomPartitioner) {
    const watched: ICustomPartitioner = () => {
      const inner = partitioner();
      return (args) => {
        const partition = inner(args);
        this.assigned.add(`${args.topic}/${partition}`);
        this.assignments += 1;
        return partition;
      };
    };
    this.create = () => create(watched);
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
        this.assigned.clear();
        this.assignments = 0;
        const topicMessages = taken.flatMap((waiting) => waiting.topicMessages);
        const acknowledged = await producer.sendBatch({ acks: -1, topicMessages });
        const skipped = unacknowledged(this.assigned, acknowledged);
        if (skipped.length > 0) throw new Error(`kafkajs resolved a send without an acknowledgement for ${skipped.join(', ')}; sending it again`);
        if (this.assignments > topicMessages.reduce((sum, topic) => sum + topic.messages.length, 0)) this.discard();
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

/** The partitions a send assigned messages to that no acknowledgement of it names. */
export const unacknowledged = (assigned: ReadonlySet<string>, acknowledged: RecordMetadata[]): string[] => {
  const named = new Set(acknowledged.map((ack) => `${ack.topicName}/${ack.partition}`));
  return [...assigned].filter((partition) => !named.has(partition)).sort();
};
