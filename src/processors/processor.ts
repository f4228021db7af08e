import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Topics } from '../config.ts';
import type { Serde } from '../schemas/serde.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { Database } from '../store/db.ts';
import { applyBatch, type BatchResult } from './batch.ts';
import { prepare, type CommandRecord, type DecisionClock } from './envelope.ts';
import type { OutboxRelay } from './relay.ts';
import { applyGuarded, databaseErrorOf, RefusalBreaker, type PoisonGuard } from './poison.ts';
import { PartitionClaims, PartitionMoved } from './ownership.ts';
import { endBatch, rejoinCause, type StepResult } from './step.ts';
import { BACKOFF_MS, superviseConsumer, type ConsumerHealth } from './supervisor.ts';
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

export interface ProcessorHealth extends ConsumerHealth {
  /** The step that is failing and being retried, if any. */
  stalled: string | null;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/** Still fetching, and the batch's partition is still this member's. */
const owns = (payload: EachBatchPayload) => payload.isRunning() && !payload.isStale();

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
  const claims = new PartitionClaims(deps.db);
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
  /** Runs a step until it succeeds, retrying with backoff while this member still owns the partition. */
  async function retrying<T>(step: string, payload: EachBatchPayload, work: () => Promise<T>): Promise<StepResult<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        const value = await work();
        if (health.stalled === step) health.stalled = null;
        return { kind: 'done', value };
      } catch (error) {
        if (!owns(payload)) {
          logger.debug({ err: error, step, partition: payload.batch.partition }, 'processor step abandoned: stopping, or the partition moved');
          return { kind: 'abandoned' };
        }
        const rejoin = rejoinCause(error);
        if (rejoin) return { kind: 'rejoin', cause: rejoin };
        health.stalled = step;
        metrics.retries.inc({ step });
        // PostgreSQL's SQLSTATE and message name the constraint; the error's detail would log the row.
        const database = databaseErrorOf(error);
        logger.warn({ ...(database ? { database } : { err: error }), step, partition: payload.batch.partition, attempt }, 'processor step failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]));
        // Heartbeats keep the partition while a dependency is away; a rebalance ends the wait.
        const beat = await payload.heartbeat().then(() => null, (failed: unknown) => rejoinCause(failed));
        if (beat) return { kind: 'rejoin', cause: beat };
      }
    }
  }

  function record(result: BatchResult, partition: number): void {
    const now = Date.now();
    for (const item of result.results) {
      metrics.commands.inc({ type: item.type, outcome: item.outcome });
      if (item.outcome === 'dlq') metrics.dlq.inc({ reason: item.code });
      else if ('code' in item && item.code) metrics.rejections.inc({ code: item.code });
      metrics.latency.observe((now - Number(item.timestamp)) / 1000);
      const { timestamp, ...fields } = item;
      if (item.outcome === 'dlq') logger.warn({ ...fields, partition }, 'record dead-lettered');
      else logger.debug({ ...fields, partition }, 'command processed');
    }
    metrics.batchSize.observe(result.results.length);
    logger.debug({ partition, commands: result.results.length, published: result.published.length }, 'batch applied');
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    // Claimed first, drained second: the drain then sees all the previous holder committed.
    const claimed = await retrying('claim', payload, () => claims.tokenFor(partition));
    if (claimed.kind !== 'done') return endBatch(claimed);
    const drained = await retrying('drain-outbox', payload, () => relay.drainLeftovers(partition));
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
      // A failed attempt may have committed (an isolated record, a COMMIT whose answer was lost)
      // rows this result does not hold, and a claim taken again makes rows of the previous holder
      // visible: the partition is drained again, in id order, before this batch is published.
      const applied = await retrying('database', payload, async () => {
        const claim = { partition, token: await claims.tokenFor(partition) };
        return applyGuarded(prepared, (chunk) => applyBatch(chunk, deps, claim), guard).catch((error: unknown) => {
          relay.forget(partition);
          if (error instanceof PartitionMoved) claims.forget(partition);
          throw error;
        });
      });
      if (applied.kind !== 'done') return endBatch(applied);
      const result = applied.value;
      metrics.transactionSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const published = await retrying('publish', payload, () => relay.publishBatch(partition, result.published));
      if (published.kind !== 'done') return endBatch(published);
      const last = messages[messages.length - 1]!.offset;
      // Through the batch payload: consumer.commitOffsets() silently skips the commit once a
      // graceful stop has begun, which would leave the batch just applied uncommitted.
      const commit = { topics: [{ topic: batch.topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }] };
      const committed = await retrying('commit', payload, () => committing(() => payload.commitOffsetsIfNecessary(commit)));
      if (committed.kind !== 'done') return endBatch(committed);
      payload.resolveOffset(last);
      record(result, partition);
      await payload.heartbeat();
    }
  }

  const supervisor = await superviseConsumer(consumer, {
    topic: topics.commands, health, logger,
    run: { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: deps.partitionsConcurrently, eachBatch: (payload) => withBatchSpan(payload.batch, () => eachBatch(payload)) },
    onJoin() {
      claims.forgetAll();
      relay.forgetDrained();
      // A step abandoned for a rejoin is not stalled any more; the next failure says so again.
      health.stalled = null;
    },
  });
  return { health, stop: () => supervisor.stop() };
}
