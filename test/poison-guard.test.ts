import { jest } from '@jest/globals';
import type { BatchResult } from '../src/processors/batch.ts';
import type { CommandRecord, Prepared } from '../src/processors/envelope.ts';
import { applyGuarded, databaseErrorOf } from '../src/processors/poison.ts';

/** The guard's decisions, with `apply` a plain function that refuses what a test says. */
const record = (offset: number): CommandRecord => ({ partition: 0, offset: String(offset), key: null, value: null, timestamp: '0' });
const deadLetter = (offset: number): Prepared => ({ kind: 'dead-letter', record: record(offset), code: 'BAD_MAGIC_BYTE', message: 'x' });
const pgError = (code: string, message = `refused ${code}`) => Object.assign(new Error(message), { code });
/** slonik wraps the pg error, and Node wraps slonik's when its connection emitter throws it. */
const wrapped = (code: string) => Object.assign(new Error('Unhandled error.'), { code: 'ERR_UNHANDLED_ERROR', context: new Error('Query violates a constraint.', { cause: pgError(code, 'violates check constraint "c"') }) });

function recorder(refuse: (chunk: Prepared[], call: number) => Error | null) {
  const calls: string[][] = [];
  const apply = async (chunk: Prepared[]): Promise<BatchResult> => {
    calls.push(chunk.map((p) => (p.kind === 'dead-letter' ? `dlq:${p.record.offset}:${p.code}` : p.record.offset)));
    const error = refuse(chunk, calls.length);
    if (error) throw error;
    return { published: [], results: chunk.map((p) => ({ outcome: 'dlq', type: 'unknown', code: p.kind === 'dead-letter' ? p.code : 'none', offset: p.record.offset, timestamp: '0' })) };
  };
  return { calls, apply };
}
const isolating = jest.fn();

test('the SQLSTATE and PostgreSQL message are found through slonik and Node wrappers', () => {
  expect(databaseErrorOf(wrapped('23514'))).toEqual({ sqlState: '23514', message: 'violates check constraint "c"' });
  expect(databaseErrorOf(new Error('socket hang up'))).toBeNull();
});

const command = (offset: number): Prepared => ({ kind: 'command', record: record(offset), command: {} as never, payloadHash: '' });

test('a chunk refused for its content is applied record by record; the record refused twice on its own becomes UNWRITABLE', async () => {
  const poisonIn = (part: Prepared[]) => part.some((p) => p.kind === 'command' && p.record.offset === '2');
  const { calls, apply } = recorder((part) => (poisonIn(part) ? wrapped('23514') : null));
  const result = await applyGuarded([command(1), command(2), command(3)], apply, { isolating });
  expect(calls).toEqual([['1', '2', '3'], ['1'], ['2'], ['2'], ['dlq:2:UNWRITABLE'], ['3']]);
  expect(result.results.map((r) => [r.offset, 'code' in r && r.code])).toEqual([['1', 'none'], ['2', 'UNWRITABLE'], ['3', 'none']]);
  expect(isolating).toHaveBeenCalledWith(expect.anything(), 3);
});

test('a single command refused twice is dead-lettered with its SQLSTATE; refused once (a race), it is applied', async () => {
  const poisoned = recorder((part) => (part[0]!.kind === 'command' ? wrapped('23505') : null));
  const letter = await applyGuarded([command(7)], poisoned.apply, { isolating });
  expect(poisoned.calls).toEqual([['7'], ['7'], ['dlq:7:UNWRITABLE']]);
  expect(letter.results).toEqual([expect.objectContaining({ outcome: 'dlq', code: 'UNWRITABLE', offset: '7' })]);

  const race = recorder((_part, call) => (call === 1 ? pgError('23505') : null));
  await applyGuarded([command(8)], race.apply, { isolating });
  expect(race.calls).toEqual([['8'], ['8']]);
});

test('errors a retry can fix are given back untouched, and so is a dead letter PostgreSQL refuses', async () => {
  const transient = pgError('40001');
  await expect(applyGuarded([command(1), command(2)], recorder(() => transient).apply, { isolating })).rejects.toBe(transient);
  const lost = new Error('Connection terminated unexpectedly');
  await expect(applyGuarded([command(1)], recorder(() => lost).apply, { isolating })).rejects.toBe(lost);
  const refusedLetter = pgError('22P05');
  await expect(applyGuarded([deadLetter(1)], recorder(() => refusedLetter).apply, { isolating })).rejects.toBe(refusedLetter);
});
