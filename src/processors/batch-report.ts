import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { BatchResult } from './batch.ts';

/** Counts and logs a committed batch's commands: only then are their outcomes final. */
export function reportBatch(result: BatchResult, metrics: Metrics, logger: Logger): void {
  const now = Date.now();
  for (const item of result.results) {
    metrics.commands.inc({ type: item.type, outcome: item.outcome });
    if (item.outcome === 'dlq') metrics.dlq.inc({ reason: item.code });
    else if ('code' in item && item.code) metrics.rejections.inc({ code: item.code });
    metrics.latency.observe((now - Number(item.timestamp)) / 1000);
    const { timestamp, ...fields } = item;
    if (item.outcome === 'dlq') logger.warn(fields, 'record dead-lettered');
    else logger.debug(fields, 'command processed');
  }
  logger.debug({ commands: result.results.length, published: result.published.length }, 'batch applied');
}
