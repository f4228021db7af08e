import type { Producer, TopicMessages } from 'kafkajs';

interface Waiting {
  topicMessages: TopicMessages[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * kafkajs must not retry a send itself: its retry of a send that spans several brokers goes again
 * only to brokers that have not answered yet, with the partitions grouped by their leaders as they
 * are now. When a leader moved (its broker died or shut down) onto a broker that had already
 * answered for its own partitions, the moved partitions are sent nowhere and the send resolves as
 * if they had been written: rows marked published that no consumer ever sees (found by the hard
 * bounce and rolling restart scenarios on the replicated cluster). So a failed attempt fails the
 * whole send, and the relay sends all of it again with a fresh producer; what the first attempt
 * wrote comes out twice, byte for byte, under the same eventId.
 */
export const PUBLISH_RETRY = { retries: 0 } as const;

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
 */
export class Publisher {
  private readonly create: () => Producer;
  private producer: Promise<Producer> | null = null;
  private waiting: Waiting[] = [];
  private busy = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(create: () => Producer) {
    this.create = create;
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
        await producer.sendBatch({ acks: -1, topicMessages: taken.flatMap((waiting) => waiting.topicMessages) });
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
