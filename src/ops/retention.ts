import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/db.ts';
import { deleteProcessedCommands, deletePublishedOutbox, RETENTION_CHUNK } from '../store/retention-store.ts';
import { startPoller, type Poller } from './poller.ts';

export interface RetentionSettings {
  outboxRetentionSeconds: number;
  idempotencyWindowDays: number;
  intervalMs: number;
}

/**
 * Keeps the outbox and processed_commands bounded: published outbox rows go after
 * `outboxRetentionSeconds`, processed commands after the idempotency window. Each sweep deletes
 * in chunks until a chunk comes back short, so a backlog (after downtime) is worked off without
 * one long transaction. Every instance sweeps; they skip each other's locked rows.
 */
export function startRetention(deps: { db: Database; metrics: Metrics; logger: Logger }, settings: RetentionSettings): Poller {
  const sweep = async (table: string, deleteChunk: () => Promise<number>) => {
    for (let count = RETENTION_CHUNK; count === RETENTION_CHUNK;) {
      count = await deleteChunk();
      deps.metrics.retentionDeleted.inc({ table }, count);
    }
  };
  return startPoller('retention', settings.intervalMs, async () => {
    await sweep('outbox', () => deletePublishedOutbox(deps.db, settings.outboxRetentionSeconds));
    await sweep('processed_commands', () => deleteProcessedCommands(deps.db, settings.idempotencyWindowDays));
  }, { metrics: deps.metrics, logger: deps.logger.child({ component: 'retention' }) });
}
