import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Database } from '../store/db.ts';
import { deleteOlderThan, deletePublishedOutbox, RETENTION_CHUNK } from '../store/retention-store.ts';
import { startPoller, type Poller } from './poller.ts';

export interface RetentionSettings {
  outboxRetentionSeconds: number;
  idempotencyWindowDays: number;
  intervalMs: number;
}

/**
 * Keeps the outbox, processed_commands, gateway_commands and dead_lettered_commands bounded: published outbox rows (at or
 * below their partition's watermark) go after `outboxRetentionSeconds`, processed, gateway and dead-lettered commands after the idempotency window. Each sweep deletes
 * in chunks until a chunk comes back short, so a backlog (after downtime) is worked off without
 * one long transaction. Every instance sweeps; they skip each other's locked rows.
 */
export function startRetention(deps: { db: Database; metrics: Metrics; logger: Logger }, settings: RetentionSettings): Poller {
  const sweep = async (table: string, chunk: () => Promise<number>) => {
    for (let count = RETENTION_CHUNK; count >= RETENTION_CHUNK;) {
      count = await chunk();
      deps.metrics.retentionDeleted.inc({ table }, count);
    }
  };
  const window = settings.idempotencyWindowDays * 86_400;
  return startPoller('retention', settings.intervalMs, async () => {
    await sweep('outbox', () => deletePublishedOutbox(deps.db, settings.outboxRetentionSeconds));
    await sweep('processed_commands', () => deleteOlderThan(deps.db, 'processed_commands', window));
    await sweep('gateway_commands', () => deleteOlderThan(deps.db, 'gateway_commands', window));
    await sweep('dead_lettered_commands', () => deleteOlderThan(deps.db, 'dead_lettered_commands', window));
  }, { metrics: deps.metrics, logger: deps.logger.child({ component: 'retention' }) });
}
