import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Topics } from '../config.ts';
import type { Serde } from '../schemas/serde.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { Database } from '../store/db.ts';
import type { RoundPool } from '../store/round-pool.ts';
import type { StoredOutboxMessage } from '../store/batch-store.ts';
import { claimPartition } from '../store/claims-store.ts';
import { applyBatch } from './batch.ts';
import { reportBatch } from './batch-report.ts';
import { prepare, type CommandRecord, type DecisionClock, type Prepared } from './envelope.ts';
import { applyGuardedGroups, RefusalBreaker } from './poison.ts';
import type { Applied, Handler } from './runtime/ports.ts';

export interface HandlerDeps {
  db: Database;
  /** The rounds' own pipelining connections (src/store/round-pool.ts). */
  rounds: RoundPool;
  serde: Serde;
  verifier: TokenVerifier;
  topics: Topics;
  metrics: Metrics;
  logger: Logger;
  decisionClock: DecisionClock;
  /** REVIEW_CLAIM_MINUTES: how long a review claim holds. */
  reviewClaimMinutes: number;
}

/**
 * The processor's handler, as Kafka Streams would say: decode a chunk's records, and apply the
 * chunks of a round in one transaction (dedupe, lock and load, fold in order, write state, audit
 * and outbox), with the claim of every partition checked in it. The runtime around it fetches,
 * orders, publishes and commits.
 */
export function commandHandler(deps: HandlerDeps): Handler<CommandRecord, Prepared[], StoredOutboxMessage> {
  const { metrics, logger } = deps;
  const breaker = new RefusalBreaker();
  return {
    claim: (partition) => claimPartition(deps.db, partition),
    decode: (chunk) => Promise.all(chunk.records.map((record) => prepare(record, deps.serde, deps.verifier, deps.decisionClock))),
    async apply(work, claims, live): Promise<Applied<StoredOutboxMessage>> {
      const claimed = work.map(({ chunk }) => ({ partition: chunk.partition, token: claims.get(chunk.partition)! }));
      const first = work[0]!.chunk;
      const result = await first.within(() => applyGuardedGroups(work.map(({ decoded }) => decoded), (chunk) => applyBatch(chunk, deps, claimed), {
        breaker,
        stillOwner: live,
        isolating: (refusal, records) => logger.error({ ...refusal, records }, 'PostgreSQL refused the batch for its content; applying its records one by one'),
        deadLettering: (refusal, record) => logger.error({ ...refusal, partition: record.partition, offset: record.offset }, 'PostgreSQL refused a command for its content; dead-lettering it as UNWRITABLE'),
      }));
      const rows = new Map<number, StoredOutboxMessage[]>();
      for (const row of result.published) {
        const partitionRows = rows.get(row.sourcePartition) ?? [];
        partitionRows.push(row);
        rows.set(row.sourcePartition, partitionRows);
      }
      return { rows, report: () => first.within(() => reportBatch(result, metrics, logger)) };
    },
  };
}
