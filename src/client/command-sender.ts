import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { innermost } from '../kafka-refusal.ts';
import type { Topics } from '../config.ts';
import { commandToWire, type UnverifiedCommand } from '../schemas/commands.ts';
import type { Serde } from '../schemas/serde.ts';
import { withProducerSpans } from '../tracing/produce.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CommandInput = DistributiveOmit<UnverifiedCommand, 'commandId' | 'issuedAt'> & { commandId?: string; issuedAt?: number };

/** Pauses between the attempts of one send: about as long as a leader election takes. */
const SEND_BACKOFF_MS = [100, 300, 1000];

/** What producer services, the admin UI, the CLI and the tests use to put commands on the topic. */
export class CommandSender {
  private readonly producer: Producer;
  private readonly serde: Serde;
  private readonly topics: Topics;
  private connection: Promise<void> | null = null;

  constructor(kafka: Kafka, serde: Serde, topics: Topics) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1, retry: { retries: 0 } });
    this.serde = serde;
    this.topics = topics;
  }

  /**
   * Idempotent, and retried on the next send after a failure: the HTTP gateway's sender must
   * start, and answer 503, while the broker is away.
   */
  connect = (): Promise<void> => this.connection ??= this.producer.connect().catch((error: unknown) => {
    this.connection = null;
    throw error;
  });

  disconnect = async () => {
    this.connection = null;
    await this.producer.disconnect();
  };

  /** Encodes with the registered command schema; key = applicationId keeps an application on one partition. */
  encode(input: CommandInput): { command: UnverifiedCommand; value: Buffer } {
    const command = { ...input, commandId: input.commandId ?? randomUUID(), issuedAt: input.issuedAt ?? Date.now() } as UnverifiedCommand;
    return { command, value: this.serde.encode(this.topics.commands, commandToWire(command)) };
  }

  async send(inputs: CommandInput[]): Promise<UnverifiedCommand[]> {
    const encoded = inputs.map((input) => this.encode(input));
    const messages = encoded.map(({ command, value }) => ({ key: command.applicationId, value }));
    await this.connect();
    await withProducerSpans(this.topics.commands, messages, (traced) => this.sendWhole(traced));
    return encoded.map(({ command }) => command);
  }

  /** Raw records, for tools that re-inject dead letters, the gateway re-sending recorded bytes, or tests that send hostile bytes. */
  async sendRaw(records: { key: string | Buffer | null; value: Buffer | null; partition?: number }[]): Promise<void> {
    await this.connect();
    await withProducerSpans(this.topics.commands, records, (traced) => this.sendWhole(traced));
  }

  /**
   * Every record again on each attempt, never kafkajs's own retry: its retry of a send that spans
   * several brokers skips the partitions whose leader moved onto a broker that had already
   * answered, and resolves as if they were written (docs/reliability.md). A command written twice
   * is the same bytes under the same commandId, which the processor applies once. A refusal that
   * no retry can change (an ACL, a record too large) is not tried again.
   */
  private async sendWhole(messages: Message[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.producer.send({ topic: this.topics.commands, acks: -1, messages });
        return;
      } catch (error) {
        if (attempt >= SEND_BACKOFF_MS.length || innermost(error).retriable === false) throw error;
        await new Promise((resolve) => setTimeout(resolve, SEND_BACKOFF_MS[attempt]));
      }
    }
  }
}
