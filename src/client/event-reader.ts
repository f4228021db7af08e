import { randomUUID } from 'node:crypto';
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import type { Serde } from '../schemas/serde.ts';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Decoded through the registry; null for raw topics such as the DLQ. */
  value: unknown;
  raw: Buffer | null;
}

const headersOf = (headers: IHeaders | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('utf8') : String(value)]));

/** Reads outcome topics from the beginning, decoding Avro through the registry (CLI `tail`, tests). */
export class EventReader {
  readonly messages: ReadMessage[] = [];
  private readonly consumer: Consumer;
  private readonly serde: Serde;
  private readonly rawTopics: Set<string>;
  private waiters: (() => void)[] = [];

  constructor(kafka: Kafka, serde: Serde, options: { rawTopics?: string[] } = {}) {
    this.consumer = kafka.consumer({ groupId: `event-reader-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    this.serde = serde;
    this.rawTopics = new Set(options.rawTopics ?? []);
  }

  async start(topics: string[], onMessage?: (message: ReadMessage) => void): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const raw = message.value;
        const value = raw && !this.rawTopics.has(topic) ? await this.serde.decodeAny(raw) : null;
        const read: ReadMessage = { topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, headers: headersOf(message.headers), value, raw };
        this.messages.push(read);
        onMessage?.(read);
        const waiters = this.waiters;
        this.waiters = [];
        waiters.forEach((wake) => wake());
      },
    });
  }

  /** Resolves with the messages matching `predicate` once there are at least `count` of them. */
  async waitFor(predicate: (message: ReadMessage) => boolean, count = 1, timeoutMs = 30_000): Promise<ReadMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter(predicate);
      if (found.length >= count) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`waited ${timeoutMs} ms for ${count} matching message(s), saw ${found.length} of ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  stop = () => this.consumer.disconnect();
}
