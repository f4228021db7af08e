import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forCommand, payloadOf, submitNew, withdraw } from './support/commands.ts';
import { pipelineSuite } from './support/suite.ts';
import { topicEnvOf } from './support/shared-stack.ts';

/**
 * The DLQ tool (`npm run cli -- dlq list|replay`) as an operator uses it, as a separate process
 * against the running service: a command PostgreSQL refuses (a CHECK constraint added by hand)
 * is dead-lettered UNWRITABLE; replayed before the cause is fixed it is dead-lettered again;
 * once the constraint is gone, replaying exactly that letter applies it once; replaying it again
 * changes nothing; other letters stay where they are.
 */
const REPO = new URL('../', import.meta.url).pathname;
const suite = pipelineSuite('admin-dlq');
const BLOCKED_OWNER = 'owner-dlq-blocked';
let cliDir: string;

beforeAll(() => { cliDir = mkdtempSync(join(tmpdir(), 'backoffice-dlq-cli-')); });
afterAll(() => { if (cliDir) rmSync(cliDir, { recursive: true, force: true }); });

/** Runs the CLI as a separate process on the suite's broker, registry and topics; resolves with its JSON lines. */
function cli(...args: string[]): Promise<unknown[]> {
  const { config } = suite.stack;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', EMBEDDED_DATA_DIR: cliDir, LOG_LEVEL: 'error', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '',
        KAFKA_BROKERS: config.KAFKA_BROKERS.join(','), SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL, ...topicEnvOf(config),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`cli ${args.join(' ')} exited ${code}: ${stderr}`));
      resolve(stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)));
    });
  });
}

test('dlq list shows reason and origin; dlq replay re-injects only the chosen letters, applied once, after the cause is fixed', async () => {
  const { pipeline, stack } = suite;
  const query = async (sql: string, values: unknown[]) => (await stack.db.query(sql, values)).rows;
  const dlqOf = (key: string) => (message: { topic: string; key: string | null }) => message.topic === pipeline.topics.dlq && message.key === key;
  await stack.db.query(`ALTER TABLE applications ADD CONSTRAINT refuse_blocked_owner CHECK (applicant_id <> '${BLOCKED_OWNER}')`);
  const blocked = pipeline.sender.encode(submitNew(BLOCKED_OWNER));
  const garbageKey = crypto.randomUUID();
  await pipeline.sender.sendRaw([{ key: blocked.command.applicationId, value: blocked.value }, { key: garbageKey, value: Buffer.from('not avro at all') }]);
  await pipeline.reader.waitFor(dlqOf(blocked.command.applicationId), 1, 60_000);
  await pipeline.reader.waitFor(dlqOf(garbageKey), 1, 60_000);
  expect(await query('SELECT 1 FROM applications WHERE id = $1', [blocked.command.applicationId])).toEqual([]);

  // The operator lists the DLQ: reason, origin and where each letter is.
  const letters = await cli('dlq', 'list') as { at: string; key: string | null; headers: Record<string, string>; bytes: number }[];
  expect(letters).toHaveLength(2);
  const unwritable = letters.find((letter) => letter.key === blocked.command.applicationId)!;
  const garbage = letters.find((letter) => letter.key === garbageKey)!;
  expect(unwritable).toMatchObject({
    bytes: blocked.value.length,
    headers: { 'error.code': 'UNWRITABLE', 'source.topic': pipeline.topics.commands, 'source.partition': expect.any(String), 'source.offset': expect.any(String) },
  });
  expect(unwritable.headers['error.message']).toContain('refuse_blocked_owner');
  expect(garbage.headers['error.code']).toBe('BAD_MAGIC_BYTE');

  // Replaying before the cause is fixed only dead-letters it again, under a new origin.
  const [early] = await cli('dlq', 'replay', unwritable.at) as { replayed: string[] }[];
  expect(early!.replayed).toEqual([unwritable.at]);
  await pipeline.reader.waitFor(dlqOf(blocked.command.applicationId), 2, 60_000);
  expect(await query('SELECT 1 FROM applications WHERE id = $1', [blocked.command.applicationId])).toEqual([]);

  // The cause fixed; replay exactly the first letter (and name one that does not exist).
  await stack.db.query('ALTER TABLE applications DROP CONSTRAINT refuse_blocked_owner');
  const [result] = await cli('dlq', 'replay', unwritable.at, '9:999') as { replayed: string[]; missing: string[] }[];
  expect(result).toEqual({ replayed: [unwritable.at], missing: ['9:999'] });
  const [submitted] = await pipeline.reader.waitFor(forCommand(pipeline.topics.events, blocked.command.commandId), 1, 60_000);
  expect(payloadOf(submitted!).type).toBe('ApplicationSubmitted');
  expect(await query('SELECT status, version FROM applications WHERE id = $1', [blocked.command.applicationId])).toEqual([{ status: 'PENDING', version: 1 }]);

  // Replayed again by mistake: a redelivery, applied no second time. A withdrawal behind it on
  // the same partition shows the line has moved past it.
  await cli('dlq', 'replay', unwritable.at);
  const [after] = await pipeline.sender.send([withdraw(blocked.command.applicationId, BLOCKED_OWNER)]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, after!.commandId), 1, 60_000);
  expect(pipeline.reader.messages.filter(forCommand(pipeline.topics.events, blocked.command.commandId))).toHaveLength(1);
  expect(await query('SELECT status, version FROM applications WHERE id = $1', [blocked.command.applicationId])).toEqual([{ status: 'WITHDRAWN', version: 2 }]);
  expect(await query('SELECT count(*)::int AS n FROM processed_commands WHERE command_id = $1', [blocked.command.commandId])).toEqual([{ n: 1 }]);

  // The letter nobody chose is untouched; the DLQ only grew by the one premature replay.
  const finalLetters = await cli('dlq', 'list') as { key: string | null }[];
  expect(finalLetters.map((letter) => letter.key).sort()).toEqual([blocked.command.applicationId, blocked.command.applicationId, garbageKey].sort());
}, 300_000);
