import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Topics } from '../config.ts';
import type { Serde } from '../schemas/serde.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { Database } from '../store/db.ts';
import { applyBatch } from './batch.ts';
import { prepare, type CommandRecord, type DecisionClock } from './envelope.ts';
import type { OutboxRelay } from './relay.ts';
import { applyGuarded, RefusalBreaker, type PoisonGuard } from './poison.ts';
import { PartitionEpochs } from './partition-epoch.ts';
import { endBatch } from './step.ts';
import { superviseConsumer, type ConsumerHealth } from './supervisor.ts';
import { owns, retryingSteps, type StepHealth } from './retry.ts';
import { reportBatch } from './batch-report.ts';
import { withBatchSpan } from '../tracing/batch-span.ts';

export interface ProcessorDeps {
  consumer: Consumer;
  relay: OutboxRelay;
  db: Database;
  serde: Serde;
  verifier: TokenVerifier;
  topics: Topics;
  metrics: Metrics;
  logger: Logger;
  partitionsConcurrently: number;
  /** Upper bound of commands per transaction; kafkajs batches are split into chunks of this size. */
  maxBatch: number;
  /** When decisions are judged: the command's append time, or processing time on go-mokapi. */
  decisionClock: DecisionClock;
  /** One offset commit in flight per instance: only for go-mokapi (KAFKA_BROKER_QUIRKS), see below. */
  serialiseCommits: boolean;
}

export interface ProcessorHealth extends ConsumerHealth, StepHealth {}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

const toRecord = (partition: number) => (message: KafkaMessage): CommandRecord => ({
  partition, offset: message.offset, key: message.key, value: message.value, timestamp: message.timestamp,
});

/**
 * The imperative shell: per-partition batches, each applied in one transaction (record by
 * record only when PostgreSQL refuses it, see poison.ts), its outbox published, and only then
 * its offsets committed. A failing dependency pauses the partition
 * (retry with backoff, heartbeats kept) instead of skipping or committing past unapplied work.
 */
export async function runProcessor(deps: ProcessorDeps): Promise<{ health: ProcessorHealth; stop(): Promise<void> }> {
  const { consumer, relay, topics, metrics, logger } = deps;
  const health: ProcessorHealth = { joined: false, stalled: null, brokerAnsweredAt: Date.now() };
  const breaker = new RefusalBreaker();
  const epochs = new PartitionEpochs(deps.db, relay);
  // go-mokapi, the fallback development broker, serves every request in a goroutine of its own
  // and writes a group's offsets to an unsynchronised map: OffsetCommits of partitions processed
  // side by side can crash it ("fatal error: concurrent map writes"). Only there are commits
  // queued one at a time; Apache Kafka takes them concurrently.
  let commitsInFlight: Promise<unknown> = Promise.resolve();
  const committing = <T>(commit: () => Promise<T>): Promise<T> => {
    if (!deps.serialiseCommits) return commit();
    const next = commitsInFlight.then(commit, commit);
    commitsInFlight = next.catch(() => undefined);
    return next;
  };
  const retrying = retryingSteps(health, metrics, logger);

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    const epoch = epochs.of(partition);
    // Claimed first, drained second: the drain then sees all the previous holder committed.
    const claimed = await retrying('claim', payload, () => epoch.claim());
    if (claimed.kind !== 'done') return endBatch(claimed);
    const drained = await retrying('drain-outbox', payload, () => epoch.drain());
    if (drained.kind !== 'done') return endBatch(drained);
    const guard: PoisonGuard = {
      breaker,
      stillOwner: () => owns(payload),
      isolating: (refusal, records) => logger.error({ ...refusal, partition, records }, 'PostgreSQL refused the batch for its content; applying its records one by one'),
      deadLettering: (refusal, record) => logger.error({ ...refusal, partition, offset: record.offset }, 'PostgreSQL refused a command for its content; dead-lettering it as UNWRITABLE'),
    };
    for (const messages of chunks(batch.messages, deps.maxBatch)) {
      if (!owns(payload)) return;
      const records = messages.map(toRecord(partition));
      const decoded = await retrying('decode', payload, () => Promise.all(records.map((r) => prepare(r, deps.serde, deps.verifier, deps.decisionClock))));
      if (decoded.kind !== 'done') return endBatch(decoded);
      const prepared = decoded.value;
      const started = process.hrtime.bigint();
      const applied = await retrying('database', payload, async () => {
        const claim = { partition, token: await epoch.claim() };
        return applyGuarded(prepared, (chunk) => applyBatch(chunk, deps, claim), guard).catch((error: unknown) => {
          epoch.writeFailed(error);
          throw error;
        });
      });
      if (applied.kind !== 'done') return endBatch(applied);
      const result = applied.value;
      metrics.transactionSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const published = await retrying('publish', payload, () => epoch.publish(result.published));
      if (published.kind !== 'done') return endBatch(published);
      const last = messages[messages.length - 1]!.offset;
      // Through the batch payload: consumer.commitOffsets() silently skips the commit once a
      // graceful stop has begun, which would leave the batch just applied uncommitted.
      const commit = { topics: [{ topic: batch.topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }] };
      const committed = await retrying('commit', payload, () => committing(() => payload.commitOffsetsIfNecessary(commit)));
      if (committed.kind !== 'done') return endBatch(committed);
      payload.resolveOffset(last);
      reportBatch(result, partition, metrics, logger);
      await payload.heartbeat();
    }
  }

  const supervisor = await superviseConsumer(consumer, {
    topic: topics.commands, health, logger,
    run: { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: deps.partitionsConcurrently, eachBatch: (payload) => withBatchSpan(payload.batch, () => eachBatch(payload)) },
    onJoin() {
      epochs.endAll();
      // A step abandoned for a rejoin is not stalled any more; the next failure says so again.
      health.stalled = null;
    },
  });
  return { health, stop: () => supervisor.stop() };
}
