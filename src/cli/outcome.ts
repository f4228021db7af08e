import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Serde } from '../schemas/serde.ts';
import type { ApplicationEvent } from '../schemas/avro-types.ts';

type Command = { applicationId: string; commandId: string };

/** What a command's outcome event says, as the CLI prints it. */
export interface Outcome {
  commandId: string;
  applicationId: string;
  outcome: string;
  version?: number;
  listingId?: string;
  code?: string;
  message?: string;
}

/** One JSON line per outcome: the new version when accepted, the code and message when refused. */
export function outcomeOf(event: ApplicationEvent): Outcome {
  const [name, body] = Object.entries(event.payload)[0]! as [string, Record<string, unknown>];
  const outcome = name.split('.').pop()!;
  const base = { commandId: event.commandId, applicationId: event.applicationId, outcome };
  // A refusal leaves the version where it was, so printing it would read as a change.
  if (outcome === 'CommandRejected') return { ...base, code: body.code as string, message: body.message as string };
  return { ...base, version: Number(event.version), ...(outcome === 'ApplicationApproved' ? { listingId: body.listingId as string } : {}) };
}

/**
 * Watches the events topic for one command's outcome. The end offsets are taken before the
 * command is sent and the reader is moved there, so the outcome cannot slip past however long
 * joining the reader's throwaway group takes; nothing is committed, so the group leaves no trace.
 */
export class OutcomeWatcher {
  private readonly consumer: Consumer;
  private readonly serde: Serde;
  private readonly topic: string;
  private readonly command: Command;
  private found: ApplicationEvent | null = null;
  private wake: (() => void) | null = null;

  private constructor(kafka: Kafka, serde: Serde, topic: string, command: Command) {
    this.consumer = kafka.consumer({ groupId: `cli-outcome-${randomUUID()}`, maxWaitTimeInMs: 100 });
    this.serde = serde;
    this.topic = topic;
    this.command = command;
  }

  /** Resolves once the end offsets are known, i.e. once it is safe to send; `joined` once reading. */
  static async at(kafka: Kafka, serde: Serde, topic: string, command: Command) {
    const watcher = new OutcomeWatcher(kafka, serde, topic, command);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    return { watcher, joined: watcher.join(ends) };
  }

  private async join(ends: { partition: number; offset: string }[]): Promise<void> {
    await this.consumer.connect();
    // From the beginning only if a restart after a crash loses the seeks below: slower, never blind.
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        // The key is the application id: only its events are worth decoding.
        if (this.found || message.key?.toString('utf8') !== this.command.applicationId || !message.value) return;
        const event = await this.serde.decodeAny(message.value) as ApplicationEvent;
        if (event.commandId !== this.command.commandId) return;
        this.found = event;
        this.wake?.();
      },
    });
    for (const end of ends) this.consumer.seek({ topic: this.topic, partition: end.partition, offset: end.offset });
  }

  /** The outcome event, or null when none arrived within `timeoutMs`. */
  async outcome(timeoutMs: number): Promise<ApplicationEvent | null> {
    if (!this.found) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
    }
    return this.found;
  }

  stop = () => this.consumer.disconnect();
}
