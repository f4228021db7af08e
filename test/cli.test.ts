import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { approve, forCommand, payloadOf, submitNew } from './support/commands.ts';
import { pipelineSuite } from './support/suite.ts';
import { startTestStack, type TestStack } from './support/stack.ts';
import { topicEnvOf } from './support/shared-stack.ts';
import { infoChangeContact } from './fixtures/details.ts';

/**
 * The CLI as an operator runs it, a separate process on the suite's broker, registry and topics:
 * the sending commands answer with the outcome and an exit code that tells accepted (0), rejected
 * (2) and timed out (3) apart; `dlq list` says when the DLQ is empty; `token` refuses an expiry
 * that is not a positive whole number.
 */
const REPO = new URL('../', import.meta.url).pathname;
const OWNER = 'owner-cli';
let cliDir: string;

beforeAll(() => { cliDir = mkdtempSync(join(tmpdir(), 'backoffice-cli-')); });
afterAll(() => { if (cliDir) rmSync(cliDir, { recursive: true, force: true }); });

interface Run { code: number | null; stdout: string; stderr: string; lines: any[] }

const execute = promisify(execFile);

/** Runs the CLI on `stack`'s broker, registry and topics; resolves with its exit code, output and JSON lines. */
async function cli(stack: TestStack, ...args: string[]): Promise<Run> {
  const { config } = stack;
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', EMBEDDED_DATA_DIR: cliDir, LOG_LEVEL: 'error', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '',
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','), SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL, ...topicEnvOf(config),
  };
  // A non-zero exit is an answer here, not a failure; a CLI that never exits is killed (code null).
  const { code, stdout, stderr } = await execute(process.execPath, ['src/cli/main.ts', ...args], { cwd: REPO, env, timeout: 90_000 })
    .then((done) => ({ ...done, code: 0 }), (failed: { code: number | string; stdout: string; stderr: string }) => ({ ...failed, code: typeof failed.code === 'number' ? failed.code : null }));
  return { code, stdout, stderr, lines: stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)) };
}

describe('with the processor running', () => {
  const suite = pipelineSuite('admin-cli');
  const run = (...args: string[]) => cli(suite.stack, ...args);
  const statusOf = async (id: string) => (await suite.stack.db.query('SELECT status, version FROM applications WHERE id = $1', [id])).rows[0];

  test('submit and approve print the outcome with the new version and exit 0', async () => {
    const submitted = await run('submit', '--applicant', OWNER, '--details', 'examples/restaurant.json');
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    expect(submitted.lines).toEqual([{ commandId: expect.any(String), applicationId: expect.any(String), outcome: 'ApplicationSubmitted', version: 1 }]);
    const id = submitted.lines[0].applicationId;

    const approved = await run('approve', id, '--token', suite.adminToken, '--note', 'checked');
    expect(approved.code).toBe(0);
    expect(approved.lines).toEqual([{ commandId: expect.any(String), applicationId: id, outcome: 'ApplicationApproved', version: 2, listingId: expect.any(String) }]);
    // What it printed is what the processor published for that very command.
    const [event] = await suite.pipeline.reader.waitFor(forCommand(suite.pipeline.topics.events, approved.lines[0].commandId));
    expect(payloadOf(event!)).toMatchObject({ type: 'ApplicationApproved', body: { listingId: approved.lines[0].listingId } });
    expect(await statusOf(id)).toEqual({ status: 'APPROVED', version: 2 });
  }, 120_000);

  test('reject without a reason prints REASON_REQUIRED and its message, exits 2, changes nothing', async () => {
    const { command } = await suite.run(submitNew(OWNER));
    const refused = await run('reject', command.applicationId, '--token', suite.adminToken);
    expect(refused.code).toBe(2);
    expect(refused.lines).toEqual([{ commandId: expect.any(String), applicationId: command.applicationId, outcome: 'CommandRejected', code: 'REASON_REQUIRED', message: expect.stringMatching(/reason/i) }]);
    expect(await statusOf(command.applicationId)).toEqual({ status: 'PENDING', version: 1 });
  }, 120_000);

  test('an INFO_CHANGE application amended with InfoChangeDetails is applied, not dead-lettered', async () => {
    const { command: listed } = await suite.run(submitNew(OWNER));
    const { body } = await suite.run(approve(listed.applicationId, suite.adminToken));
    const submitted = await run('submit', '--applicant', OWNER, '--kind', 'INFO_CHANGE', '--listing', body.listingId, '--details', 'examples/info-change-hours.json');
    expect(submitted.lines).toEqual([expect.objectContaining({ outcome: 'ApplicationSubmitted', version: 1 })]);
    const file = join(cliDir, 'info-change-contact.json');
    writeFileSync(file, JSON.stringify(infoChangeContact()));
    const amended = await run('amend', submitted.lines[0].applicationId, '--applicant', OWNER, '--details', file);
    expect(amended.code).toBe(0);
    expect(amended.lines).toEqual([{ commandId: expect.any(String), applicationId: submitted.lines[0].applicationId, outcome: 'ApplicationAmended', version: 2 }]);
  }, 120_000);

  test('--no-wait prints only what was sent, and it was sent', async () => {
    const { command } = await suite.run(submitNew(OWNER));
    const sent = await run('withdraw', command.applicationId, '--applicant', OWNER, '--no-wait');
    expect(sent.code).toBe(0);
    expect(sent.stdout.trim().split('\n')).toHaveLength(1);
    expect(sent.lines).toEqual([{ sent: 'WithdrawApplication', commandId: expect.any(String), applicationId: command.applicationId }]);
    const [event] = await suite.pipeline.reader.waitFor(forCommand(suite.pipeline.topics.events, sent.lines[0].commandId));
    expect(payloadOf(event!).type).toBe('ApplicationWithdrawn');
  }, 120_000);

  test('dlq list on an empty DLQ prints no letter and says so on stderr', async () => {
    // Nothing in this suite was dead-lettered (the INFO_CHANGE amend above included).
    const listed = await run('dlq', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('');
    expect(listed.stderr.trim()).toBe(`${suite.pipeline.topics.dlq}: no dead letters`);
  }, 120_000);

  test('token refuses an expiry that is not a positive whole number; a positive one mints', async () => {
    // The key `npm start` would name in its stack file; the suite's own, so the minted token is checkable.
    writeFileSync(join(cliDir, 'stack.json'), JSON.stringify({ privateKeyFile: suite.stack.keys.privateKeyFile }));
    for (const expires of ['-10', '0', '1.5']) {
      const refused = await run('token', '--expires', expires);
      expect({ expires, code: refused.code, stdout: refused.stdout }).toEqual({ expires, code: 1, stdout: '' });
      expect(refused.stderr).toContain(`argument '${expires}' is invalid. Must be a positive whole number of seconds`);
    }
    const minted = await run('token', '--role', 'OWNER', '--subject', OWNER, '--expires', '60');
    expect(minted.code).toBe(0);
    const claims = decodeJwt(minted.stdout.trim());
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims.sub).toBe(OWNER);
  }, 120_000);
});

describe('with no processor running', () => {
  let stack: TestStack;
  beforeAll(async () => { stack = await startTestStack(); });
  afterAll(async () => { await stack?.stop(); });

  test('a command nobody answers times out: exit 3, the command sent and no outcome', async () => {
    const token = await stack.token('MASTER', 'admin-cli');
    const applicationId = randomUUID();
    const waited = await cli(stack, 'approve', applicationId, '--token', token, '--timeout', '2');
    expect(waited.code).toBe(3);
    expect(waited.lines).toEqual([{ sent: 'ApproveApplication', commandId: expect.any(String), applicationId, outcome: null }]);
    expect(waited.stderr).toContain('No outcome within 2 s');
  }, 120_000);
});
