import type { BatchResult } from './batch.ts';
import type { Prepared } from './envelope.ts';

/**
 * SQLSTATE classes a retry cannot fix: data exceptions (22), integrity constraint violations
 * (23) and program limits (54). Everything else (connection loss, deadlocks, serialization
 * failures, shutdowns, a full disk) passes with time and is retried as it is.
 */
const REFUSED_FOR_CONTENT = /^(22|23|54)/;

type Wrapped = { code?: unknown; message?: unknown; cause?: unknown; context?: unknown } | null | undefined;

/**
 * PostgreSQL's own error behind an error, through slonik's wrappers (`cause`) and Node's
 * "Unhandled error" wrapper (`context`), which slonik's connection emitter throws inside a
 * transaction.
 */
export function databaseErrorOf(error: unknown): { sqlState: string; message: string } | null {
  for (let current = error as Wrapped, depth = 0; current && depth < 6; current = (current.cause ?? current.context) as Wrapped, depth++) {
    if (typeof current.code === 'string' && /^[0-9A-Z]{5}$/.test(current.code)) return { sqlState: current.code, message: String(current.message) };
  }
  return null;
}

const refusedForContent = (error: unknown) => REFUSED_FOR_CONTENT.test(databaseErrorOf(error)?.sqlState ?? '');

export interface PoisonEvents {
  /** PostgreSQL refused a whole chunk for what it holds; its records are applied one by one. */
  isolating(error: unknown, records: number): void;
}

/**
 * Applies a chunk so that one record PostgreSQL refuses cannot stall its partition for good.
 * A chunk refused for its content is applied again one record at a time: the same outcome as
 * at batch size 1, which must equal any other batch size. A record refused twice on its own
 * (the first refusal may be a race with another instance, such as a unique index) becomes a
 * dead letter, UNWRITABLE with its SQLSTATE, to be replayed from the DLQ once the cause is
 * fixed. Anything else is thrown, for the caller to retry.
 */
export async function applyGuarded(prepared: Prepared[], apply: (chunk: Prepared[]) => Promise<BatchResult>, events: PoisonEvents): Promise<BatchResult> {
  try {
    return await apply(prepared);
  } catch (error) {
    if (!refusedForContent(error)) throw error;
    if (prepared.length > 1) {
      events.isolating(error, prepared.length);
      const merged: BatchResult = { published: [], results: [] };
      for (const one of prepared) {
        const result = await applyGuarded([one], apply, events);
        merged.published.push(...result.published);
        merged.results.push(...result.results);
      }
      return merged;
    }
    const [only] = prepared as [Prepared];
    if (only.kind === 'dead-letter') throw error;
    return apply([only]).catch((again: unknown) => {
      if (!refusedForContent(again)) throw again;
      const refusal = databaseErrorOf(again)!;
      const message = `PostgreSQL refused the command (SQLSTATE ${refusal.sqlState}): ${refusal.message}`;
      return apply([{ kind: 'dead-letter', record: only.record, code: 'UNWRITABLE', message }]);
    });
  }
}
