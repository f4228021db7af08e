import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceProcess } from '../support/fault/process.ts';
import { eventually } from '../support/pipeline.ts';
import { startSecuredStack, type SecuredStack } from '../support/secured-stack.ts';
import { restaurantDetails } from '../fixtures/details.ts';

/**
 * The service as a process (`node src/main.ts`) on the secured cluster, started wrong: a wrong
 * password, a CA that did not sign the brokers' certificates, a plaintext client, a wrong
 * registry password, a CA that did not sign the registry's certificate. Each is
 * refused, said in one log line that names the setting to look at, and /readyz says why
 * while the service waits for a connection that works. Started right, with its secrets in files,
 * not one of them appears in anything it writes or answers.
 */

let stack: SecuredStack;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startSecuredStack();
}, 240_000);

afterAll(async () => {
  for (const child of started) await child.destroy();
  await stack?.stop();
});

async function start(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  // debug: the gate's "probed again" lines show when it has looked again.
  const child = await ServiceProcess.start({ name, env: { ...env, LOG_LEVEL: 'debug' }, logDir: stack.dir });
  started.push(child);
  return child;
}

/** Log entries at warn or above, kafkajs's included: what an operator's alerting would see. */
const warnings = (child: ServiceProcess) => child.logEntries().filter((entry) => Number(entry.level) >= 40);

/** Waits for /readyz to answer 503 with a reason for `dependency`; returns it. */
async function notReadyBecause(child: ServiceProcess, dependency: string): Promise<string> {
  return eventually(async () => {
    if (!child.alive) throw new Error(`${child.name} exited; log:\n${child.logTail()}`);
    const reply = await child.readyz();
    if (reply === null) return undefined;
    expect(reply.status).toBe(503);
    expect(reply.body.status).toBe('not ready');
    expect(Object.keys(reply.body.checks)).toEqual([dependency]);
    return reply.body.checks[dependency] as string;
  }, 60_000);
}

test.each([
  {
    refusal: 'a wrong password', dependency: 'kafka', env: (): Record<string, string> => ({ KAFKA_SASL_PASSWORD: `wrong-${randomBytes(6).toString('hex')}` }),
    says: /^Kafka refused the SASL login of user "service" \(SCRAM-SHA-512\): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
  },
  {
    refusal: 'an untrusted certificate', dependency: 'kafka', env: (): Record<string, string> => ({ KAFKA_SSL_CA_FILE: stack.security.files.rogueCa }),
    says: /^Kafka's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): KAFKA_SSL_CA_FILE must hold the CA/,
  },
  {
    refusal: 'a plaintext client', dependency: 'kafka', env: (): Record<string, string> => ({ KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT', KAFKA_SSL_CA_FILE: '', KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' }),
    says: /^Kafka closed the connection at the first request: the listener likely requires TLS, and KAFKA_SECURITY_PROTOCOL=PLAINTEXT speaks plaintext/,
  },
  {
    refusal: 'a wrong registry password', dependency: 'registry', env: (): Record<string, string> => ({ SCHEMA_REGISTRY_PASSWORD: `wrong-${randomBytes(6).toString('hex')}` }),
    says: /^the schema registry refused the credentials of user "registry-user" \(401\): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD$/,
  },
  {
    refusal: 'an untrusted registry certificate', dependency: 'registry', env: (): Record<string, string> => ({ SCHEMA_REGISTRY_CA_FILE: stack.security.files.rogueCa }),
    says: /^the schema registry's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): SCHEMA_REGISTRY_CA_FILE must hold the CA/,
  },
])('$refusal is refused with one clear log line, and /readyz says why', async ({ env, says, dependency }) => {
  const wrong = env();
  const child = await start('refused', stack.env('service', 'SCRAM-SHA-512', wrong));
  const reason = await notReadyBecause(child, dependency);
  expect(reason).toMatch(says);
  // Other routes answer 503 meanwhile, with the same reason.
  const other = await fetch(`http://127.0.0.1:${child.httpPort}/applications`);
  expect({ status: other.status, retryAfter: other.headers.get('retry-after'), detail: (await other.json() as { detail: string }).detail })
    .toEqual({ status: 503, retryAfter: '5', detail: reason });
  // Two probes later (1 s, then 2 s apart) it is still one line: the reason is said again only
  // when it changes.
  await eventually(async () => (child.logEntries().filter((entry) => entry.msg === 'dependencies probed again').length >= 2 ? true : undefined), 30_000);
  expect(warnings(child).map((entry) => entry.msg)).toEqual([reason]);
  expect(child.alive).toBe(true);
  // Neither a password given (a wrong one is a secret too: it may be a real one misplaced) nor the right ones.
  const log = readFileSync(child.logFile, 'utf8');
  const secrets = [wrong.KAFKA_SASL_PASSWORD, wrong.SCHEMA_REGISTRY_PASSWORD, stack.security.passwords.service, stack.registry.password];
  expect(secrets.filter((secret) => secret && log.includes(secret))).toEqual([]);
  await child.destroy();
}, 90_000);

test('secrets given in files never appear in a log line, the start banner, /metrics, /readyz or an error answer', async () => {
  const secrets = {
    KAFKA_SASL_PASSWORD: stack.security.passwords.service,
    SCHEMA_REGISTRY_PASSWORD: stack.registry.password,
    DATABASE_URL: stack.databaseUrl,
  };
  const files = Object.fromEntries(Object.entries(secrets).map(([name, value]) => {
    const file = join(stack.dir, `${name.toLowerCase()}.secret`);
    // As mounted secrets usually are: with a final line break, which is not part of the secret.
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    return [`${name}_FILE`, file];
  }));
  const env = { ...stack.env('service', 'SCRAM-SHA-512', { KAFKA_SASL_PASSWORD: '', SCHEMA_REGISTRY_PASSWORD: '', DATABASE_URL: '', ...files }), LOG_LEVEL: 'trace' };
  const child = await ServiceProcess.start({ name: 'secrets', env, logDir: stack.dir });
  started.push(child);
  await child.waitReady(90_000);

  const base = `http://127.0.0.1:${child.httpPort}`;
  const owner = await stack.token('OWNER', 'owner-secrets');
  const answers: string[] = [];
  const answer = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, init);
    answers.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
    return response;
  };
  await answer('/readyz');
  await answer('/healthz');
  await answer('/applications');
  await answer('/applications', { headers: { authorization: 'Bearer not-a-token' } });
  await answer('/applications', { method: 'POST', headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' }, body: '{"kind":"NEW_LISTING"' });
  await answer('/applications', { method: 'POST', headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: {} }) });
  const accepted = await answer('/applications', {
    method: 'POST', headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'NEW_LISTING', contentType: 'RESTAURANT', details: restaurantDetails() }),
  });
  expect(accepted.status).toBe(202);
  await answer('/commands/not-a-command', { headers: { authorization: `Bearer ${owner}` } });
  // The metrics once the poller has looked at lag and backlog with its own connections.
  await eventually(async () => (/^backoffice_consumer_lag_messages\{/m.test(await child.metricsText()) ? true : undefined), 30_000);
  await answer('/metrics');
  child.kill('SIGTERM');
  expect((await child.waitExit(40_000)).code).toBe(0);
  await child.drained;

  const written = readFileSync(child.logFile, 'utf8');
  expect(written).toContain('backoffice approval processor is running');
  expect(written).toContain('service stopped');
  const password = new URL(stack.databaseUrl).password;
  const basic = Buffer.from(`${stack.registry.username}:${stack.registry.password}`).toString('base64');
  const everything = [written, ...answers].join('\n');
  const found = [secrets.KAFKA_SASL_PASSWORD, secrets.SCHEMA_REGISTRY_PASSWORD, password, basic].filter((secret) => everything.includes(secret));
  expect(found).toEqual([]);
}, 180_000);
