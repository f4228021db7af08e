import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { percentile } from './latency.ts';

/**
 * One bare hop through the broker: produce a record, consume it, no work in between, at a low
 * steady rate, with the consumer's maxWaitTimeInMs as the service's consumer has it (kafkajs'
 * default, 5000). What the broker alone adds to every consume in the pipeline. The producer is
 * idempotent where the service's relay is (Apache Kafka; not go-mokapi, which refuses it).
 */
export async function measureHop(options: { kafka: Kafka; topic: string; maxWaitTimeInMs: number; count: number; intervalMs: number; idempotent: boolean }) {
  const { kafka, topic } = options;
  const producer = kafka.producer({ idempotent: options.idempotent, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-hop-${randomUUID()}`, maxWaitTimeInMs: options.maxWaitTimeInMs });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await producer.connect();
  await consumer.connect();
  try {
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const at = sentAt.get(message.value?.toString() ?? '');
        if (at !== undefined) latencies.push(performance.now() - at);
      },
    });
    await joined;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (let index = 0; index < options.count; index++) {
      const id = randomUUID();
      sentAt.set(id, performance.now());
      await producer.send({ topic, acks: -1, messages: [{ key: id, value: id }] });
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
    const deadline = performance.now() + options.maxWaitTimeInMs + 2000;
    while (latencies.length < options.count && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    latencies.sort((a, b) => a - b);
    return { maxWaitTimeInMs: options.maxWaitTimeInMs, measured: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN };
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
  }
}
