import type { BatchResult } from '../../src/processors/batch.ts';
import type { CommandRecord, Prepared } from '../../src/processors/envelope.ts';
import { PartitionMoved } from '../../src/processors/runtime/epochs.ts';
import { applyGuarded, databaseErrorOf, RefusalBreaker, type PoisonGuard } from '../../src/processors/poison.ts';

/** The guard's decisions, with `apply` a plain function that refuses what a test says. */
const record = (offset: number): CommandRecord => ({ partition: 0, offset: String(offset), key: null, value: null, timestamp: '0', trace: {} });
const command = (offset: number): Prepared => ({ kind: 'command', record: record(offset), command: {} as never, payloadHash: '' });
const deadLetter = (offset: number): Prepared => ({ kind: 'dead-letter', record: record(offset), code: 'BAD_MAGIC_BYTE', message: 'x' });
const pgError = (code: string, message = `refused ${code}`) => Object.assign(new Error(message), { code });
/** slonik wraps the pg error, and Node wraps slonik's when its connection emitter throws it. */
const wrapped = (code: string) => Object.assign(new Error('Unhandled error.'), {
  code: 'ERR_UNHANDLED_ERROR', context: new Error('Query violates a constraint.', { cause: pgError(code, 'violates check constraint "c"') }),
});

const label = (p: Prepared) => (p.kind === 'dead-letter' ? `dlq:${p.record.offset}:${p.code}` : p.record.offset);

function recorder(refuse: (chunk: Prepared[], call: number) => Error | null) {
  const calls: string[][] = [];
  const apply = async (chunk: Prepared[]): Promise<BatchResult> => {
    calls.push(chunk.map(label));
    const error = refuse(chunk, calls.length);
    if (error) throw error;
    return { published: [], results: chunk.map((p) => ({ outcome: 'dlq', type: 'unknown', code: label(p), partition: 0, offset: p.record.offset, timestamp: '0' })) };
  };
  return { calls, apply };
}

function guard(overrides: Partial<PoisonGuard> = {}): PoisonGuard & { log: string[] } {
  const log: string[] = [];
  return {
    log, breaker: new RefusalBreaker(), stillOwner: () => true,
    isolating: (refusal, records) => log.push(`isolating ${records} (${refusal.sqlState})`),
    deadLettering: (refusal, which) => log.push(`dead-lettering ${which.offset} (${refusal.sqlState})`),
    ...overrides,
  };
}
const offending = (offsets: number[]) => (chunk: Prepared[]) => (chunk.some((p) => p.kind === 'command' && offsets.includes(Number(p.record.offset))) ? wrapped('23514') : null);

test('the SQLSTATE and PostgreSQL message are found through slonik and Node wrappers', () => {
  expect(databaseErrorOf(wrapped('23514'))).toEqual({ sqlState: '23514', message: 'violates check constraint "c"' });
  expect(databaseErrorOf(new Error('socket hang up'))).toBeNull();
});

test('a chunk refused twice is applied record by record; a record refused twice on its own becomes UNWRITABLE, in its place', async () => {
  const { calls, apply } = recorder(offending([2]));
  const watch = guard();
  const result = await applyGuarded([command(1), command(2), command(3)], apply, watch);
  expect(calls).toEqual([['1', '2', '3'], ['1', '2', '3'], ['1'], ['2'], ['2'], ['3'], ['dlq:2:UNWRITABLE']]);
  expect(result.results.map((r) => 'code' in r && r.code)).toEqual(['1', 'dlq:2:UNWRITABLE', '3']);
  expect(watch.log).toEqual(['isolating 3 (23514)', 'dead-lettering 2 (23514)']);
});

test('refused once only (another instance held the key for a moment), a chunk is applied whole, nothing dead-lettered', async () => {
  const { calls, apply } = recorder((_chunk, call) => (call === 1 ? pgError('23505') : null));
  const watch = guard();
  await applyGuarded([command(1), command(2)], apply, watch);
  expect(calls).toEqual([['1', '2'], ['1', '2']]);
  expect(watch.log).toEqual([]);
});

test('when the database refuses most commands, nothing is dead-lettered: the refusal is thrown, to stall and be retried', async () => {
  const watch = guard();
  const refuseAll = recorder(offending([1, 2, 3, 4, 5]));
  const error = await applyGuarded([1, 2, 3, 4, 5].map(command), refuseAll.apply, watch).catch((thrown: unknown) => thrown);
  expect(databaseErrorOf(error)?.sqlState).toBe('23514');
  expect(refuseAll.calls.flat().filter((call) => call.startsWith('dlq'))).toEqual([]);
  expect(watch.breaker.open).toBe(true);

  // Once the database takes commands again, the breaker closes, and a single poisoned record is dead-lettered again.
  await applyGuarded(Array.from({ length: 20 }, (_, index) => command(10 + index)), recorder(() => null).apply, watch);
  expect(watch.breaker.open).toBe(false);
  const single = await applyGuarded([command(40)], recorder(offending([40])).apply, watch);
  expect(single.results.map((r) => 'code' in r && r.code)).toEqual(['dlq:40:UNWRITABLE']);
});

test('two refusals among many commands are poison; three of the last twenty open the breaker', () => {
  const breaker = new RefusalBreaker();
  breaker.note(false, 50);
  breaker.note(true);
  breaker.note(false, 10);
  breaker.note(true);
  expect(breaker.open).toBe(false);
  breaker.note(true);
  expect(breaker.open).toBe(true);
  breaker.note(false, 20);
  expect(breaker.open).toBe(false);
});

test('errors a retry can fix are given back untouched, so is a dead letter PostgreSQL refuses, and isolation stops when the partition moves', async () => {
  const transient = pgError('40001');
  await expect(applyGuarded([command(1), command(2)], recorder(() => transient).apply, guard())).rejects.toBe(transient);
  const lost = new Error('Connection terminated unexpectedly');
  await expect(applyGuarded([command(1)], recorder(() => lost).apply, guard())).rejects.toBe(lost);
  const refusedLetter = pgError('22P05');
  await expect(applyGuarded([deadLetter(1)], recorder(() => refusedLetter).apply, guard())).rejects.toBe(refusedLetter);

  let owner = true;
  const moving = recorder((chunk) => { owner = false; return chunk.length > 1 ? wrapped('23514') : null; });
  await expect(applyGuarded([command(1), command(2)], moving.apply, guard({ stillOwner: () => owner }))).rejects.toBeInstanceOf(PartitionMoved);
  expect(moving.calls).toEqual([['1', '2'], ['1', '2']]);
});
