import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

/**
 * docs/operations.md gives the exact kafka-acls.sh commands for a secured cluster: the very
 * grants the secured suites create (src/kafka-acls.ts), as `npm run cli -- acls` prints them.
 */
const REPO = new URL('../', import.meta.url).pathname;
const acls = async (args: string[] = [], env: Record<string, string> = {}) => {
  const { stdout } = await promisify(execFile)(process.execPath, ['src/cli/main.ts', 'acls', ...args], {
    cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', ...env },
  });
  return stdout.trim().split('\n');
};

test('the commands in docs/operations.md are those `cli acls` prints for the default names', async () => {
  const docs = readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8');
  const documented = docs.split('\n').filter((line) => line.startsWith('kafka-acls.sh '));
  const printed = await acls();
  expect(printed.length).toBeGreaterThan(10);
  expect(documented).toEqual(printed);
});

test('`cli acls` names the configured topics and group and the principals given', async () => {
  const printed = await acls(['--service', 'User:svc', '--producer', 'User:p', '--reader', 'User:r', '--reader-group', 'r-'], { TOPIC_COMMANDS: 'x.commands', KAFKA_GROUP_ID: 'g1' });
  expect(printed.filter((line) => line.includes('--topic x.commands'))).toEqual([
    expect.stringContaining('--allow-principal User:svc --operation Read --operation Write --operation Describe --operation DescribeConfigs --topic x.commands'),
    expect.stringContaining('--allow-principal User:p --operation Write --operation Describe --topic x.commands'),
  ]);
  expect(printed).toContainEqual(expect.stringContaining('--allow-principal User:svc --operation Read --group g1'));
  expect(printed).toContainEqual(expect.stringContaining('--allow-principal User:r --operation Read --group r- --resource-pattern-type prefixed'));
  // The reader is granted nothing on the command topic, the producer nothing but it.
  expect(printed.filter((line) => line.includes('User:r ') && line.includes('x.commands'))).toEqual([]);
  expect(printed.filter((line) => line.includes('User:p ') && !line.includes('--topic x.commands'))).toEqual([]);
});
