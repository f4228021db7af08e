import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { configSchema, loadConfig } from '../src/config.ts';

/** .env.example documents every setting of src/config.ts, with its real default, and nothing else. */

const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
const example = parseEnv(text) as Record<string, string>;
const variables = Object.keys(configSchema.shape);
const lines = text.split('\n');
const assignment = /^([A-Z][A-Z0-9_]*)=/;

/** The value the service uses when the variable is not set (undefined when it has none). */
const defaultOf = (name: string) => (configSchema.shape as Record<string, { safeParse(input: unknown): { success: boolean; data?: unknown } }>)[name]!.safeParse(undefined).data;

test('lists the same variables as configSchema, each once', () => {
  const assigned = lines.map((line) => assignment.exec(line)?.[1]).filter((name): name is string => name !== undefined);
  expect(new Set(assigned).size).toBe(assigned.length);
  expect([...assigned].sort()).toEqual([...variables].sort());
  expect(Object.keys(example).sort()).toEqual([...variables].sort());
});

test('every variable has a one-line comment right above it', () => {
  const named = lines.flatMap((line, index) => {
    const name = assignment.exec(line)?.[1];
    return name === undefined ? [] : [{ name, comment: lines[index - 1] }];
  });
  expect(named.length).toBeGreaterThan(0);
  expect(named).toEqual(named.map(({ name }) => ({ name, comment: expect.stringMatching(/^# \S.{10,}/) })));
});

test('the values given are the defaults: loading the file changes nothing', () => {
  expect(loadConfig(example)).toEqual(loadConfig({}));
  for (const name of variables) {
    const fallback = defaultOf(name);
    // A variable with a default shows it; one without is left empty (empty means unset).
    expect({ name, shown: example[name] !== '' }).toEqual({ name, shown: fallback !== undefined });
  }
});

test('docs/operations.md has every variable in its configuration table', () => {
  const docs = readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8');
  const documented = [...docs.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]);
  expect([...documented].sort()).toEqual([...variables].sort());
});
