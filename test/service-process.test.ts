import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess } from './support/fault/process.ts';

/**
 * The fault and hostile suites end with `expect(child.errorLines()).toEqual([])`: that must fail
 * whenever the process said something went wrong, however it said it, and must never pass because
 * its log could not be read. A real child process (a script standing in for src/main.ts) writes
 * each kind of output.
 */

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'backoffice-process-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, source: string): Promise<ServiceProcess> {
  const script = join(dir, `${name}.mjs`);
  writeFileSync(script, source);
  const child = await ServiceProcess.start({ name, env: {}, logDir: dir, script });
  await child.waitExit(20_000);
  await child.drained;
  return child;
}

test('counts JSON error lines, plain stderr output and uncaught exceptions, not info lines, kafkajs retries or Node warnings', async () => {
  const child = await run('mixed', [
    "console.log(JSON.stringify({ level: 30, msg: 'service started' }));",
    "console.log(JSON.stringify({ level: 50, component: 'kafkajs', msg: 'The group is rebalancing, re-joining' }));",
    "console.log(JSON.stringify({ level: 50, msg: 'batch failed' }));",
    "console.log(JSON.stringify({ level: 60, msg: 'service failed to start' }));",
    "process.emitWarning('something is deprecated', 'DeprecationWarning', 'DEP0999');",
    "console.error('plain failure on stderr');",
    "setTimeout(() => { throw new Error('boom at the end'); }, 10);",
  ].join('\n'));
  const lines = child.errorLines();
  expect(lines.some((line) => line.includes('"msg":"batch failed"'))).toBe(true);
  expect(lines.some((line) => line.includes('"msg":"service failed to start"'))).toBe(true);
  expect(lines).toContain('plain failure on stderr');
  // An uncaught exception prints its stack on stderr before the process dies: the last words count.
  expect(lines.some((line) => line.includes('Error: boom at the end'))).toBe(true);
  expect(lines.filter((line) => /service started|rebalancing|DeprecationWarning|--trace-/.test(line))).toEqual([]);
});

test('a quiet process has no error lines', async () => {
  const child = await run('quiet', "console.log(JSON.stringify({ level: 30, msg: 'all well' }));\n");
  expect(child.errorLines()).toEqual([]);
});

test('a log that cannot be read is an error, never "no errors"', async () => {
  const child = await run('unreadable', "console.log(JSON.stringify({ level: 30, msg: 'all well' }));\n");
  rmSync(child.logFile);
  expect(() => child.errorLines()).toThrow(/cannot read .*unreadable-\d+\.log/);
  const other = await run('unreadable-stderr', "console.log(JSON.stringify({ level: 30, msg: 'all well' }));\n");
  rmSync(other.stderrFile);
  expect(() => other.errorLines()).toThrow(/cannot read .*\.stderr\.log/);
});
