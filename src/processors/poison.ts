import type { BatchResult } from './batch.ts';
import type { Prepared } from './envelope.ts';
import { PartitionMoved } from './runtime/epochs.ts';
import { isSqlState } from '../store/sql-state.ts';

/**
 * SQLSTATE classes a retry cannot fix: data exceptions (22), integrity constraint violations
 * (23) and program limits (54). Everything else (connection loss, deadlocks, serialization
 * failures, shutdowns, a full disk) passes with time and is retried as it is.
 */
const REFUSED_FOR_CONTENT = /^(22|23|54)/;

type Wrapped = { code?: unknown; message?: unknown; cause?: unknown; context?: unknown } | null | undefined;

/** What PostgreSQL said; its message names the constraint, never the row (the detail would). */
export interface Refusal { sqlState: string; message: string }

/**
 * PostgreSQL's own error behind an error, through slonik's wrappers (`cause`) and Node's
 * "Unhandled error" wrapper (`context`), which slonik's connection emitter throws inside a
 * transaction.
 */
export function databaseErrorOf(error: unknown): Refusal | null {
  for (let current = error as Wrapped, depth = 0; current && depth < 6; current = (current.cause ?? current.context) as Wrapped, depth++) {
    if (isSqlState(current.code)) return { sqlState: current.code, message: String(current.message) };
  }
  return null;
}

const refusalOf = (error: unknown): Refusal | null => {
  const found = databaseErrorOf(error);
  return found && REFUSED_FOR_CONTENT.test(found.sqlState) ? found : null;
};

const WINDOW = 20;
const MAX_REFUSED = 3;

/**
 * Tells a poisoned record from a database that refuses everything (a migration that broke the
 * writes, a constraint nothing satisfies): once 3 of the last 20 commands were refused, the
 * cause is not in the records, and dead-lettering them would only empty the topic into the DLQ.
 * Then the batch stalls and is retried, like any outage, until the database takes it.
 */
export class RefusalBreaker {
  private readonly recent: boolean[] = [];

  note(refused: boolean, count = 1): void {
    for (let index = 0; index < Math.min(count, WINDOW); index++) this.recent.push(refused);
    if (this.recent.length > WINDOW) this.recent.splice(0, this.recent.length - WINDOW);
  }

  get open(): boolean {
    return this.recent.filter(Boolean).length >= MAX_REFUSED;
  }
}

export interface PoisonGuard {
  breaker: RefusalBreaker;
  /** False once the partition moved to another instance: isolation stops writing. */
  stillOwner(): boolean;
  /** PostgreSQL refused a whole chunk for what it holds; its records are applied one by one. */
  isolating(refusal: Refusal, records: number): void;
  deadLettering(refusal: Refusal, record: Prepared['record']): void;
}

type Apply = (chunk: Prepared[]) => Promise<BatchResult>;

const commandsIn = (chunk: Prepared[]) => chunk.filter((p) => p.kind === 'command').length;

/** Applies a chunk, and once more when refused for content: another instance's overlapping transaction may have taken a unique key the retry then sees. */
async function applyTwice(chunk: Prepared[], apply: Apply, guard: PoisonGuard): Promise<BatchResult | { refused: unknown; refusal: Refusal }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await apply(chunk);
      guard.breaker.note(false, commandsIn(chunk));
      return result;
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      if (attempt === 2) return { refused: error, refusal };
    }
  }
}

/**
 * Applies a chunk so that one record PostgreSQL refuses cannot stall its partition for good.
 * A chunk refused twice for its content is applied again one record at a time: the same outcome
 * as at batch size 1, which must equal any other batch size. Records refused twice on their own
 * become dead letters, UNWRITABLE with PostgreSQL's SQLSTATE and message, to be replayed from the
 * DLQ once the cause is fixed; unless the breaker says the database refuses everything, and then
 * nothing is dead-lettered and the refusal is thrown for the caller to retry. Any other error is
 * thrown as it is.
 */
export async function applyGuarded(prepared: Prepared[], apply: Apply, guard: PoisonGuard): Promise<BatchResult> {
  const whole = await applyTwice(prepared, apply, guard);
  if (!('refused' in whole)) return whole;
  // Still refusing everything: another pass record by record would only load the database.
  if (guard.breaker.open) throw whole.refused;
  if (prepared.length > 1) guard.isolating(whole.refusal, prepared.length);

  const slots: (BatchResult | { record: Prepared; refused: unknown; refusal: Refusal })[] = [];
  if (prepared.length === 1) slots.push({ record: prepared[0]!, ...whole });
  else {
    for (const record of prepared) {
      if (!guard.stillOwner()) throw new PartitionMoved('the partition moved while its batch was applied record by record', [...new Set(prepared.map((p) => p.record.partition))]);
      const one = await applyTwice([record], apply, guard);
      slots.push('refused' in one ? { record, ...one } : one);
    }
  }
  const refused = slots.filter((slot) => 'refused' in slot);
  for (const slot of refused) {
    // A dead letter is only bytes and headers: if even that is refused, nothing is left to try.
    if (slot.record.kind === 'dead-letter') throw slot.refused;
    guard.breaker.note(true);
  }
  if (guard.breaker.open) throw refused[0]!.refused;

  const merged: BatchResult = { published: [], results: [] };
  for (const slot of slots) {
    let result: BatchResult;
    if ('refused' in slot) {
      guard.deadLettering(slot.refusal, slot.record.record);
      const message = `PostgreSQL refused the command (SQLSTATE ${slot.refusal.sqlState}): ${slot.refusal.message}`;
      result = await apply([{ kind: 'dead-letter', record: slot.record.record, code: 'UNWRITABLE', message }]);
    } else result = slot;
    merged.published.push(...result.published);
    merged.results.push(...result.results);
  }
  return merged;
}

/**
 * Applies the chunks of several partitions in one transaction. Refused for its content, each
 * partition's chunk is applied on its own as above, so that one poisoned record costs only its
 * own partition the isolation.
 */
export async function applyGuardedGroups(groups: Prepared[][], apply: Apply, guard: PoisonGuard): Promise<BatchResult> {
  if (groups.length === 1) return applyGuarded(groups[0]!, apply, guard);
  const all = groups.flat();
  try {
    const result = await apply(all);
    guard.breaker.note(false, commandsIn(all));
    return result;
  } catch (error) {
    if (!refusalOf(error)) throw error;
  }
  const merged: BatchResult = { published: [], results: [] };
  for (const group of groups) {
    const result = await applyGuarded(group, apply, guard);
    merged.published.push(...result.published);
    merged.results.push(...result.results);
  }
  return merged;
}
