import type { Consumer, EachBatchPayload, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { CommandRecord, Prepared } from './envelope.ts';
import type { StoredOutboxMessage } from '../store/batch-store.ts';
import type { OutboxRelay } from './relay.ts';
import { commandHandler, type HandlerDeps } from './handler.ts';
import { PartitionEpochs } from './runtime/epochs.ts';
import { Pipeline } from './runtime/pipeline.ts';
import type { Chunk } from './runtime/ports.ts';
import { superviseConsumer, type ConsumerHealth } from './runtime/consumer.ts';
import { retryingSteps, type StepHealth } from './runtime/retry.ts';
import { traceBatch } from '../tracing/batch-span.ts';
import { innermost } from '../kafka-refusal.ts';

/** kafkajs's name for the broker's NOT_COORDINATOR (16), and how many such refused commits in a row bring a rejoin. */
const NOT_COORDINATOR = 'NOT_COORDINATOR_FOR_GROUP';
const REJOIN_AFTER = 3;

/** What kafkajs 2.2.4 says when pause or resume is called on a consumer that is not running. */
const NOT_RUNNING = 'Consumer group was not initialized';

/**
 * A partition is paused once half a round's worth of its commands is in the pipeline: with the
 * chunk it is fetching meanwhile, that still fills a round under a backlog, and what six
 * partitions hold stays near the rounds in flight (each held command keeps its fetch's buffer).
 */
const OUTSTANDING_FRACTION = 2;

export interface ProcessorDeps extends HandlerDeps {
  consumer: Consumer;
  relay: OutboxRelay;
  partitionsConcurrently: number;
  /** Upper bound of commands per transaction; kafkajs batches are split into chunks of this size. */
  maxBatch: number;
  /** Transactions in flight at once under a backlog. */
  transactions: number;
  /** Least time between offset commits. */
  commitIntervalMs: number;
}

export interface ProcessorHealth extends ConsumerHealth, StepHealth {}

/**
 * The processor: kafkajs's consumer feeding the ordered pipeline (runtime/pipeline.ts), which
 * applies chunks through the handler (handler.ts), publishes their outbox rows and only then
 * commits their offsets. A failing dependency pauses the work (retry with backoff, heartbeats
 * kept) instead of skipping or committing past unapplied work.
 */
export async function runProcessor(deps: ProcessorDeps): Promise<{ health: ProcessorHealth; stop(): Promise<void> }> {
  const { consumer, relay, topics, metrics, logger } = deps;
  const health: ProcessorHealth = { joined: false, stalled: null, brokerAnsweredAt: Date.now() };
  const handler = commandHandler(deps);
  const epochs = new PartitionEpochs({ claim: handler.claim, drain: (partition) => relay.drain(partition) });
  const topic = topics.commands;
  const pipeline: Pipeline<CommandRecord, Prepared[], StoredOutboxMessage> = new Pipeline({
    handler, outlet: relay, epochs,
    retrying: retryingSteps(health, metrics, logger, () => pipeline.isStopping),
    // Straight to the group coordinator: the consumer's own commitOffsets skips the commit once
    // disconnect() began, and the pipeline commits before it disconnects.
    offsets: { commit: (offsets) => commitThroughCoordinator(offsets.map((o) => ({ topic, ...o }))) },
    flow: {
      pause: (partitions) => outsideRun(() => consumer.pause([{ topic, partitions }])),
      resume: (partitions) => outsideRun(() => consumer.resume([{ topic, partitions }])),
    },
    observer: {
      stage: (stage, seconds) => {
        metrics.stageSeconds.observe({ stage }, seconds);
        if (stage === 'transaction') metrics.transactionSeconds.observe(seconds);
      },
      published: (chunk, at) => { for (const record of chunk.records) metrics.appendToOutcome.observe((at - Number(record.timestamp)) / 1000); },
      transaction: (commands) => metrics.batchSize.observe(commands),
      held: (partition, commands) => metrics.pipelineCommands.set({ partition }, commands),
    },
  }, { maxBatch: deps.maxBatch, transactions: deps.transactions, maxOutstanding: Math.ceil(deps.maxBatch / OUTSTANDING_FRACTION), commitIntervalMs: deps.commitIntervalMs });

  let supervisor: Awaited<ReturnType<typeof superviseConsumer>> | undefined;
  let wrongCoordinator = 0;
  /** A commit refused by a broker that is no longer the group's coordinator, a few times running, brings a fresh join. */
  async function commitThroughCoordinator(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    try {
      await consumer.commitOffsets(offsets);
      wrongCoordinator = 0;
    } catch (error) {
      if (innermost(error).type === NOT_COORDINATOR && ++wrongCoordinator >= REJOIN_AFTER) {
        wrongCoordinator = 0;
        void supervisor?.rejoin();
      }
      throw error;
    }
  }

  /**
   * Between a crash of the consumer and kafkajs's restart of it there is no group to pause or
   * resume partitions in (kafkajs throws; found when a broker was cut off and the consumer
   * restarted while the pipeline released a partition). Nothing is lost by skipping: the restart
   * joins afresh with nothing paused, and its join starts a new generation of the pipeline.
   */
  function outsideRun(act: () => void): void {
    try {
      act();
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith(NOT_RUNNING))) throw error;
      logger.debug({ err: error }, 'pause or resume skipped: the consumer is between runs');
    }
  }

  async function eachBatch({ batch, resolveOffset }: EachBatchPayload): Promise<void> {
    const trace = traceBatch(batch);
    const { partition, messages } = batch;
    const chunks: Chunk<CommandRecord>[] = [];
    // The batch's spans end once its last chunk leaves the pipeline.
    let open = Math.ceil(messages.length / deps.maxBatch);
    for (let index = 0; index < messages.length; index += deps.maxBatch) {
      const slice = messages.slice(index, index + deps.maxBatch);
      chunks.push({
        partition,
        records: slice.map((m) => ({ partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp, trace: trace.headersFor(m.offset) })),
        lastOffset: slice[slice.length - 1]!.offset,
        appendedAt: Number(slice[0]!.timestamp),
        within: trace.within,
        settled: () => { if (--open === 0) trace.end(); },
      });
    }
    for (const chunk of chunks) {
      // Left unresolved once the pipeline stops: the records are fetched again by the next holder.
      if (!pipeline.accept(chunk)) return trace.end();
    }
    // Only the fetch position moves on; the offset is committed by the pipeline after publishing.
    resolveOffset(batch.lastOffset());
  }

  supervisor = await superviseConsumer(consumer, {
    topic, health, logger,
    run: { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: deps.partitionsConcurrently, eachBatch },
    onJoin() {
      pipeline.newGeneration();
      // A step abandoned for a rejoin is not stalled any more; the next failure says so again.
      health.stalled = null;
    },
  });
  return {
    health,
    async stop() {
      // A consumer that is not running (it crashed before its first start) fetches nothing to stop.
      outsideRun(() => consumer.pause([{ topic }]));
      await pipeline.stop();
      await supervisor.stop();
    },
  };
}
