import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort, waitForPort } from '../dev/stack/ports.ts';

/**
 * `npm start` on the embedded stack, as a real process: it says which stack it started, serves,
 * and leaves nothing behind (service, broker, registry, PostgreSQL; no process, no port) when
 * SIGINT or SIGTERM reaches the npm process (a process manager), the node process, or the whole
 * group (Ctrl-C), or when its own start fails.
 */
const REPO = new URL('..', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Every process that ever descended from the child, gathered while it ran. */
  descendants: Set<number>;
  ports: { kafka: number; registry: number; postgres: number; http: number };
  cleanup(): void;
}

function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone meanwhile */ }
  }
  return parents;
}

function collectDescendants(root: number, into: Set<number>): void {
  const parents = parentsByPid();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if ((parent === root || into.has(parent)) && !into.has(pid)) { into.add(pid); grew = true; }
    }
  }
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function start(env: Record<string, string> = {}): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backoffice-start-'));
  const ports = { kafka: await freePort(), registry: await freePort(), postgres: await freePort(), http: Number(env.HTTP_PORT) || await freePort() };
  // npm as a user or a process manager runs it, with this run's Node 24 first on PATH.
  const child = spawn('npm', ['start'], {
    cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: process.env.HOME, EMBEDDED_STACK: process.env.EMBEDDED_STACK ?? 'auto',
      EMBEDDED_DATA_DIR: dataDir, EMBEDDED_KAFKA_PORT: String(ports.kafka), EMBEDDED_REGISTRY_PORT: String(ports.registry),
      EMBEDDED_POSTGRES_PORT: String(ports.postgres), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(ports.http), LOG_LEVEL: 'warn', ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const descendants = new Set<number>();
  const watch = setInterval(() => collectDescendants(child.pid!, descendants), 100);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => { clearInterval(watch); done(code); }));
  return {
    child, exited, descendants, ports, output: () => output,
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(join(tmpdir(), `backoffice-pg-${createHash('sha1').update(resolve(dataDir)).digest('hex').slice(0, 10)}`), { recursive: true, force: true });
    },
  };
}

async function running(started: Started): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (!started.output().includes('is running')) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited (${started.child.exitCode}):\n${started.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${started.output()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

const accepts = (port: number) => waitForPort(port, 0).then(() => true, () => false);

async function expectNothingLeft(started: Started): Promise<void> {
  expect(started.descendants.size).toBeGreaterThanOrEqual(3);
  const survivors = [...started.descendants].filter(alive);
  expect(survivors).toEqual([]);
  for (const port of [started.ports.kafka, started.ports.registry, started.ports.postgres, started.ports.http]) {
    expect({ port, accepts: await accepts(port) }).toEqual({ port, accepts: false });
  }
}

afterAll(() => {
  // Whatever a failed test left running is killed, group by group.
  for (const started of all) for (const pid of started.descendants) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (const started of all) started.cleanup();
});
const all: Started[] = [];

const nodeOf = (started: Started) => {
  collectDescendants(started.child.pid!, started.descendants);
  const node = [...started.descendants].find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('src/main.ts'));
  if (node === undefined) throw new Error('no node process running src/main.ts under npm');
  return node;
};

test.each([
  ['SIGTERM', 'the npm process (a process manager)'],
  ['SIGINT', 'the npm process'],
  ['SIGTERM', 'the node process'],
  ['SIGINT', 'the process group (Ctrl-C)'],
] as const)('it says which stack it started, serves, and %s to %s stops it and every part it started', async (signal, target) => {
  const started = await start();
  all.push(started);
  await running(started);
  expect(started.output()).toContain(process.env.TEST_KAFKA_BROKERS ? 'embedded stack: Apache Kafka' : 'embedded stack: go-mokapi');
  expect((await fetch(`http://127.0.0.1:${started.ports.http}/readyz`)).status).toBe(200);
  const node = nodeOf(started);
  if (target.startsWith('the npm')) started.child.kill(signal);
  else if (target === 'the node process') process.kill(node, signal);
  else process.kill(-started.child.pid!, signal);
  expect(await started.exited).toBe(0);
  await expectNothingLeft(started);
}, 300_000);

test('a failed start (its HTTP port taken) exits non-zero with one line and leaves nothing behind', async () => {
  const taken: Server = createServer();
  const port = await freePort();
  await new Promise<void>((done) => taken.listen(port, '127.0.0.1', done));
  try {
    const started = await start({ HTTP_PORT: String(port) });
    all.push(started);
    const { http: _http, ...embedded } = started.ports;
    // "No port, no survivor" says nothing if the failure came before the parts started: each
    // embedded port must have accepted a connection while npm ran.
    let over = false;
    void started.exited.then(() => { over = true; });
    const listened = new Set<number>();
    const watching = (async () => {
      while (!over) {
        for (const part of Object.values(embedded)) if (!listened.has(part) && await accepts(part)) listened.add(part);
        await new Promise((done) => setTimeout(done, 50));
      }
    })();
    expect(await started.exited).toBe(1);
    await watching;
    expect(started.output()).toMatch(/service failed to start/);
    expect([...listened].sort()).toEqual(Object.values(embedded).sort());
    for (const part of Object.values(embedded)) expect({ part, accepts: await accepts(part) }).toEqual({ part, accepts: false });
    expect([...started.descendants].filter(alive)).toEqual([]);
  } finally {
    await new Promise((done) => taken.close(done));
  }
}, 300_000);
