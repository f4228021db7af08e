import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { random as seededRandom } from '../../test/support/fault/load.ts';
import { topicCounts } from './kafka.ts';
import type { FinalState } from './workload.ts';

/**
 * Correctness checks of a drain against its plan: what the output topics hold, and what a sample
 * of applications ended as. Both sides come from the plan's intent, never from the code under test.
 */

/** Each output topic's record count beside the plan's; `mismatches` names the topics that differ. */
export async function checkTopics(admin: Admin, expected: Map<string, number>): Promise<{ counts: Record<string, [actual: number | null, planned: number]>; mismatches: string[] }> {
  const actual = await topicCounts(admin, [...expected.keys()]);
  const counts = Object.fromEntries([...expected].map(([topic, planned]) => [topic, [actual.get(topic) ?? null, planned] as [number | null, number]]));
  return { counts, mismatches: Object.entries(counts).filter(([, [got, planned]]) => got !== planned).map(([topic, [got, planned]]) => `${topic}: ${got} records, plan ${planned}`) };
}

/** `count` applications of the plan picked at random (seeded, without replacement), with the state each must end in. */
export function sampleStates(states: Map<string, FinalState>, count: number, seed: number): [string, FinalState][] {
  const entries = [...states];
  const random = seededRandom(seed);
  const picked = Math.min(count, entries.length);
  for (let index = 0; index < picked; index++) {
    const other = index + Math.floor(random() * (entries.length - index));
    [entries[index], entries[other]] = [entries[other]!, entries[index]!];
  }
  return entries.slice(0, picked);
}

/** The sampled applications whose row in PostgreSQL differs from the plan (absent where the plan expects none, and the reverse). */
export async function checkStates(client: pg.ClientBase, sample: [string, FinalState][]): Promise<string[]> {
  const { rows } = await client.query<{ id: string; status: string; version: number }>('SELECT id, status, version FROM applications WHERE id = ANY($1::uuid[])', [sample.map(([id]) => id)]);
  const found = new Map(rows.map((row) => [row.id, row]));
  const show = (state: { status: string; version: number } | null | undefined) => (state ? `${state.status} v${state.version}` : 'no row');
  return sample.flatMap(([id, planned]) => {
    const row = found.get(id);
    const same = planned === null ? row === undefined : row?.status === planned.status && row.version === planned.version;
    return same ? [] : [`${id}: ${show(row)}, plan ${show(planned)}`];
  });
}
