import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';

/** One message the processor emitted, reduced to what the broker sees: topic, key and sizes. */
export interface EmittedShape {
  sourcePartition: number;
  topic: string;
  key: Buffer | null;
  valueBytes: number;
  headers: Record<string, string>;
}

/**
 * Broker ceiling: a bare kafkajs pipe with no database. It consumes the same N command records
 * (the preloaded offsets of the command topic, with its own group) and, as it goes, produces the
 * messages the processor emitted for them: same topics, keys, value sizes and headers, spread over
 * each source partition's batches in proportion to the commands consumed. Consume, produce with
 * acks=-1, commit: the processor's loop without decode, decide and the database.
 */
export async function brokerCeiling(options: {
  kafka: Kafka; commandTopic: string; ends: Map<number, number>; emitted: EmittedShape[]; concurrency: number; idempotent: boolean;
  /** Before a batch's records are produced: write what its commands [from, to) of the partition's `end` wrote (bare-pipeline.ts). */
  write?: (partition: number, from: number, to: number, end: number) => Promise<void>;
}): Promise<{ commands: number; messages: number; seconds: number; clientCpuMicros: number }> {
  const { kafka, ends } = options;
  const byPartition = new Map<number, EmittedShape[]>();
  for (const shape of options.emitted) {
    const list = byPartition.get(shape.sourcePartition) ?? [];
    list.push(shape);
    byPartition.set(shape.sourcePartition, list);
  }
  const maxBytes = options.emitted.reduce((max, shape) => Math.max(max, shape.valueBytes), 1);
  const filler = Buffer.alloc(maxBytes, 0x61);
  const total = [...ends.values()].reduce((sum, end) => sum + end, 0);
  const consumed = new Map<number, number>();
  const produced = new Map<number, number>();
  let consumedTotal = 0;
  let producedTotal = 0;

  const consumer = kafka.consumer({ groupId: `bench-broker-ceiling-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytesPerPartition: 1_048_576 });
  // Idempotent exactly where the service's relay is (not on go-mokapi), so the ceiling is comparable.
  const producer = kafka.producer({ idempotent: options.idempotent, maxInFlightRequests: 1 });
  await producer.connect();
  await consumer.connect();
  let started = 0;
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    started ||= performance.now();
    cpuAtStart ??= process.cpuUsage();
  });
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => { finish = resolve; fail = reject; });
  try {
    await consumer.subscribe({ topic: options.commandTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        try {
          const partition = batch.partition;
          const end = ends.get(partition) ?? 0;
          const inRange = batch.messages.filter((message) => Number(message.offset) < end);
          if (inRange.length === 0) return;
          const before = consumed.get(partition) ?? 0;
          const count = before + inRange.length;
          await options.write?.(partition, before, count, end);
          consumed.set(partition, count);
          const outputs = byPartition.get(partition) ?? [];
          const from = produced.get(partition) ?? 0;
          const to = count >= end ? outputs.length : Math.floor((count * outputs.length) / end);
          const byTopic = new Map<string, Message[]>();
          for (const shape of outputs.slice(from, to)) {
            const messages = byTopic.get(shape.topic) ?? [];
            messages.push({ key: shape.key, value: filler.subarray(0, shape.valueBytes), headers: shape.headers });
            byTopic.set(shape.topic, messages);
          }
          if (byTopic.size > 0) {
            await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
          }
          produced.set(partition, to);
          producedTotal += to - from;
          const last = inRange[inRange.length - 1]!.offset;
          await consumer.commitOffsets([{ topic: batch.topic, partition, offset: String(Number(last) + 1) }]);
          resolveOffset(last);
          await heartbeat();
          consumedTotal += inRange.length;
          if (consumedTotal >= total) finish();
        } catch (error) {
          fail(error);
          throw error;
        }
      },
    });
    await done;
    const seconds = (performance.now() - started) / 1000;
    // This process does nothing else meanwhile: its CPU is the pipe's (kafkajs consume and produce).
    const cpu = process.cpuUsage(cpuAtStart ?? undefined);
    return { commands: consumedTotal, messages: producedTotal, seconds, clientCpuMicros: cpu.user + cpu.system };
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
  }
}
