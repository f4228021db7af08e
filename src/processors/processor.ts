import type { Consumer, EachBatchPayload } from 'kafkajs';
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
    offsets: { commit: (offsets) => consumer.commitOffsets(offsets.map((o) => ({ topic, ...o }))) },
    flow: {
      pause: (partitions) => consumer.pause([{ topic, partitions }]),
      resume: (partitions) => consumer.resume([{ topic, partitions }]),
    },
    observer: {
      stage: (stage, seconds) => {
        metrics.stageSeconds.observe({ stage }, seconds);
        if (stage === 'transaction') metrics.transactionSeconds.observe(seconds);
      },
      published: (chunk, at) => { for (const record of chunk.records) metrics.appendToOutcome.observe((at - Number(record.timestamp)) / 1000); },
      transaction: (commands) => metrics.batchSize.observe(commands),
    },
  }, { maxBatch: deps.maxBatch, transactions: deps.transactions, maxOutstanding: deps.maxBatch, commitIntervalMs: deps.commitIntervalMs });

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

  const supervisor = await superviseConsumer(consumer, {
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
      // Throws only when the consumer never ran (it crashed before its first start): nothing to pause then.
      try { consumer.pause([{ topic }]); } catch { /* nothing fetched, nothing to stop fetching */ }
      await pipeline.stop();
      await supervisor.stop();
    },
  };
}
