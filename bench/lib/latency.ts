import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type PartitionMetadata } from 'kafkajs';
import { derivedId } from '../../src/processors/outcome.ts';
import { CommandSender } from '../../src/client/command-sender.ts';
import type { Topics } from '../../src/config.ts';
import type { Serde } from '../../src/schemas/serde.ts';
import { encodeAll } from './kafka.ts';
import { plan, type Tokens } from './workload.ts';

export interface LatencyResult {
  offeredPerSecond: number;
  achievedPerSecond: number;
  sent: number;
  measured: number;
  /** Always 0: a phase with a missing outcome throws instead of returning percentiles. */
  missing: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  method: 'consumer' | 'watermark';
  /** Mean interval between two looks at the events topic (watermark method): the resolution of each figure. */
  pollIntervalMs: number | null;
}

const POLL_MS = 20;
/** After the last send: how long without a single outcome arriving, and how long in all, before the missing ones count as lost. */
const QUIET_MS = 30_000;
const MAX_WAIT_MS = 300_000;

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/**
 * Sends `count` records at about `rate`/s: whatever is due by the wall clock goes in one send, so
 * a slow send does not lower the offered load. `send` gets the range and the instant it was sent.
 */
export async function paced(rate: number, count: number, send: (from: number, to: number, now: number) => Promise<void>): Promise<{ started: number; seconds: number }> {
  const started = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    if (due <= sent) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    await send(sent, due, performance.now());
    sent = due;
  }
  return { started, seconds: (performance.now() - started) / 1000 };
}

/**
 * Waits for `total` arrivals for as long as they keep coming (a fixed cut-off would drop exactly
 * the slowest). Null when all arrived, else what is missing, in words.
 */
export async function untilQuiet(arrived: () => number, total: number, what: string): Promise<string | null> {
  const sentAll = performance.now();
  let quietSince = sentAll;
  for (let seen = -1; arrived() < total;) {
    if (arrived() !== seen) [seen, quietSince] = [arrived(), performance.now()];
    if (performance.now() - quietSince > QUIET_MS || performance.now() - sentAll > MAX_WAIT_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (arrived() >= total) return null;
  const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(0);
  return `${total - arrived()} of ${total} ${what} never arrived (waited ${seconds(sentAll)} s after the last send, the last ${seconds(quietSince)} s without any arrival)`;
}

/**
 * Submit-to-outcome-event latency at a steady offered load: the mixed stream is sent at `rate`
 * commands/s (small batches every few ms, paced against the wall clock, so a slow send does not
 * lower the offered load), and the end of each command is the instant its ApplicationEvent is on
 * the events topic.
 *
 * method 'consumer' (the default): a kafkajs consumer of the events topic, maxWaitTimeInMs 5000 as
 * the service's own consumer, notes when each command's event arrives (by its derived event id).
 * That is what a downstream consumer sees, one broker hop included: the bench measures that hop
 * alone in the same run (details.brokerHop). Apache Kafka answers a waiting fetch as soon as a
 * record arrives, so the long wait costs nothing there. go-mokapi holds empty fetches in ~100 ms
 * ticks, and with maxWaitTimeInMs <= 200 answers at once and the consumer spins (~1 core of 2), so
 * no shorter wait is used.
 *
 * method 'watermark' (`--latency-method=watermark`, a go-mokapi workaround; it works on Kafka too):
 * the instant is read from the topic's high watermarks instead: go-mokapi holds an
 * empty fetch for ~100 ms ticks (measured: a consumer hop adds p50 ~50 ms, p99 ~100 ms with
 * maxWaitTimeInMs >= 300), and with a shorter maxWait it answers at once and the consumer spins
 * (~1 core of the machine's 2). Each partition of the events topic receives the events of the
 * commands of the same partition (same key, same partitioner, same partition count) in their
 * order, one event per command that decodes and is not a duplicate, and nothing else writes
 * there meanwhile; so when partition p's watermark grows by k, the next k such commands sent to p
 * are done. The watermarks are polled every POLL_MS (ListOffsets answers at once), which bounds
 * the error of each figure by one poll interval (reported) plus the ListOffsets round trip.
 * Exact, without the reader's hop, but in 4 of ~10 runs go-mokapi went away (connection refused)
 * while it was polled like this during the phase, and never otherwise: so not the default. The first `warmupSeconds` are not counted.
 *
 * Every command with an outcome event must see it arrive, warm-up included; otherwise the phase
 * fails, naming how many are missing.
 */
export async function measureLatency(options: {
  kafka: Kafka; serde: Serde; topics: Topics; tokens: Tokens; rate: number; seconds: number; warmupSeconds: number; seed: number; partitions: number;
  method?: 'consumer' | 'watermark';
}): Promise<LatencyResult> {
  const method = options.method ?? 'consumer';
  const { kafka, rate, topics } = options;
  const commands = plan(Math.round(rate * options.seconds), options.tokens, options.seed);
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: options.partitions }, (_, partitionId) => ({ partitionId, leader: 0 })) as unknown as PartitionMetadata[];
  const partitionOf = (key: string) => partitioner({ topic: topics.commands, partitionMetadata, message: { key, value: null } });

  const sender = new CommandSender(kafka, options.serde, topics);
  const admin = kafka.admin();
  let watching = true;
  let stopConsumer: () => Promise<void> = async () => {};
  await sender.connect();
  await admin.connect();
  try {
    const high = async () => new Map((await admin.fetchTopicOffsets(topics.events)).map((p) => [p.partition, Number(p.high)]));
    const base = await high();
    // Per events partition: the send instants of the commands whose event lands there, in order.
    const expected = new Map<number, { sentAt: number }[]>();
    const slots: ({ sentAt: number } | null)[] = commands.map((planned) => {
      if (planned.expect.events === 0) return null;
      const slot = { sentAt: NaN };
      const partition = partitionOf(planned.applicationId);
      const list = expected.get(partition) ?? [];
      list.push(slot);
      expected.set(partition, list);
      return slot;
    });
    const arrivals = new Map<{ sentAt: number }, number>();
    const total = slots.filter((slot) => slot !== null).length;

    let polls = 0;
    const watchStarted = performance.now();
    const byEventId = new Map<string, { sentAt: number }>();
    commands.forEach((planned, index) => {
      const slot = slots[index];
      if (slot && planned.commandId) byEventId.set(derivedId(planned.commandId, 'event/0'), slot);
    });
    const consumer = method === 'consumer'
      ? kafka.consumer({ groupId: `bench-latency-${randomUUID()}`, maxWaitTimeInMs: 5000, sessionTimeout: 10_000, heartbeatInterval: 1000 })
      : null;
    if (consumer) {
      await consumer.connect();
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.subscribe({ topic: topics.events, fromBeginning: false });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const now = performance.now();
          for (const message of batch.messages) {
            const slot = byEventId.get(message.headers?.['event-id']?.toString() ?? '');
            if (slot && !arrivals.has(slot)) arrivals.set(slot, now);
          }
        },
      });
      await joined;
      // The consumer resolves the latest offsets on its first fetch; give it that before sending.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      stopConsumer = () => consumer.disconnect();
    }
    const watcher = (async () => {
      while (method === 'watermark' && watching && arrivals.size < total) {
        let offsets: Map<number, number>;
        try {
          offsets = await high();
        } catch {
          // A dropped connection (seen once: ECONNRESET under load): the admin client reconnects.
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const now = performance.now();
        polls += 1;
        for (const [partition, list] of expected) {
          const arrived = (offsets.get(partition) ?? 0) - (base.get(partition) ?? 0);
          for (let index = 0; index < Math.min(arrived, list.length); index++) {
            if (!arrivals.has(list[index]!)) arrivals.set(list[index]!, now);
          }
        }
        // At most one look every POLL_MS: back to back, kafkajs' admin client cost the driver
        // ~0.4 cores (and the broker as much) at ~130 looks/s, disturbing what it measures.
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, POLL_MS - (performance.now() - now))));
      }
    })();
    watcher.catch(() => {});

    const records = encodeAll(sender, commands);
    const { started, seconds: sendSeconds } = await paced(rate, commands.length, async (from, to, now) => {
      for (let index = from; index < to; index++) {
        const slot = slots[index];
        if (slot) slot.sentAt = now;
      }
      await sender.sendRaw(records.slice(from, to));
    });
    const missing = await untilQuiet(() => arrivals.size, total, `outcome events at ${rate}/s`);
    watching = false;
    await watcher;
    if (missing !== null) throw new Error(`${missing}: percentiles over the rest would leave out the slowest commands`);
    const pollIntervalMs = method === 'watermark' ? (performance.now() - watchStarted) / Math.max(1, polls) : null;

    const warmupEnd = started + options.warmupSeconds * 1000;
    const latencies: number[] = [];
    for (const slot of slots) {
      if (!slot || slot.sentAt < warmupEnd) continue;
      latencies.push(arrivals.get(slot)! - slot.sentAt);
    }
    latencies.sort((a, b) => a - b);
    return {
      offeredPerSecond: rate, achievedPerSecond: commands.length / sendSeconds, sent: commands.length, measured: latencies.length, missing: 0,
      p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN, method, pollIntervalMs,
    };
  } finally {
    watching = false;
    await stopConsumer().catch(() => {});
    await admin.disconnect().catch(() => {});
    await sender.disconnect().catch(() => {});
  }
}
