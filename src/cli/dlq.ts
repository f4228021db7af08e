import { pino } from 'pino';
import { topicsOf } from '../config.ts';
import { createKafka } from '../kafka.ts';
import type { CliContext } from './connect.ts';
import { withSender } from './connect.ts';

export interface DeadLetter {
  at: string;
  /** For reading; `keyBytes` is what replay sends back, byte for byte. */
  key: string | null;
  keyBytes: Buffer | null;
  headers: Record<string, string>;
  bytes: number;
  value: Buffer | null;
}

/** Reads the whole DLQ up to its current end offsets, without joining a consumer group. */
export async function readDeadLetters(context: CliContext): Promise<DeadLetter[]> {
  const kafka = createKafka(context.config, pino({ level: 'error' }), '-dlq');
  const topic = topicsOf(context.config).dlq;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const wanted = new Map(ends.filter((end) => Number(end.high) > Number(end.low)).map((end) => [end.partition, BigInt(end.high)]));
  const letters: DeadLetter[] = [];
  if (wanted.size === 0) return letters;
  const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        letters.push({ at: `${partition}:${message.offset}`, key: message.key?.toString('utf8') ?? null, keyBytes: message.key, headers, bytes: message.value?.length ?? 0, value: message.value });
        if (BigInt(message.offset) + 1n >= wanted.get(partition)!) wanted.delete(partition);
        if (wanted.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return letters;
}

export async function listDeadLetters(context: CliContext) {
  return (await readDeadLetters(context)).map(({ value, keyBytes, ...letter }) => letter);
}

/** Puts the original key and bytes back on the command topic, once the cause is fixed. */
export async function replayDeadLetters(context: CliContext, at: string[]) {
  const chosen = (await readDeadLetters(context)).filter((letter) => at.includes(letter.at));
  await withSender(context, (sender) => sender.sendRaw(chosen.map((letter) => ({ key: letter.keyBytes, value: letter.value }))));
  return { replayed: chosen.map((letter) => letter.at), missing: at.filter((wanted) => !chosen.some((letter) => letter.at === wanted)) };
}
