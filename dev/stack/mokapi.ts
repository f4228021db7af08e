import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EmbeddedBroker } from './broker.ts';
import { freePort, listensOn, waitForPort } from './ports.ts';

export interface EmbeddedMokapi extends EmbeddedBroker {
  kind: 'go-mokapi';
  /** mokapi's HTTP API (/api/metrics has consumer group commits and lag per partition). */
  apiPort: number;
}

/**
 * The go-mokapi binary speaks the Kafka wire protocol. It only serves topics declared in the
 * AsyncAPI file it starts with (topics created at run time break its fetch path), and the
 * channels carry no message schema, since it would otherwise validate and refuse Avro bytes.
 */
function asyncApiDocument(port: number, topics: string[], partitions: number): string {
  const channels = Object.fromEntries(topics.map((topic, index) => [
    `topic${index}`, { address: topic, bindings: { kafka: { partitions } } },
  ]));
  return JSON.stringify({
    asyncapi: '3.0.0',
    info: { title: 'backoffice embedded broker', version: '1.0.0' },
    servers: { broker: { host: `127.0.0.1:${port}`, protocol: 'kafka' } },
    channels,
  }, null, 2);
}

/** The port answers; make sure it is our child that answers, not another run's broker. */
async function waitUntilListening(pid: number, port: number, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!listensOn(pid, port)) {
    const failure = exited();
    if (failure) throw new Error(failure);
    if (Date.now() > deadline) throw new Error(`port ${port} answers, but not from mokapi (pid ${pid})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function mokapiBinary(): string {
  const require = createRequire(import.meta.url);
  // The .bin wrapper is a node process whose child survives a kill; run the binary itself.
  const pkg = require.resolve(`@go-mokapi/${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}/package.json`);
  return join(dirname(pkg), 'bin', 'mokapi');
}

export async function startMokapi(options: { dir: string; topics: string[]; partitions: number; port?: number }): Promise<EmbeddedMokapi> {
  mkdirSync(options.dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = options.port || await freePort();
    const apiPort = await freePort();
    const file = join(options.dir, `asyncapi-${port}.json`);
    writeFileSync(file, asyncApiDocument(port, options.topics, options.partitions));
    const child: ChildProcess = spawn(mokapiBinary(), [
      // The dashboard search index lives in one /tmp directory shared by every mokapi on the
      // machine; two brokers at once (parallel suites) delete each other's segments and panic.
      '--log-level=error', '--mcp-server-enabled=false', '--health-enabled=false', '--api-search-enabled=false', `--api-port=${apiPort}`, file,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-65_536); });
    let exited: string | null = null;
    child.once('exit', (code, signal) => { exited = `mokapi exited (${code ?? signal}): ${stderr.trim()}`; });
    try {
      await waitForPort(port, 10_000, () => exited);
      await waitUntilListening(child.pid!, port, () => exited);
    } catch (error) {
      child.kill('SIGKILL');
      if (options.port || attempt >= 3) throw error;
      continue;
    }
    // A parent that dies without stopping us must not leave the broker behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    const declared = new Set(options.topics);
    return {
      kind: 'go-mokapi',
      label: 'go-mokapi',
      brokers: [`127.0.0.1:${port}`],
      port,
      apiPort,
      pid: child.pid!,
      exitReason: () => exited,
      stderrTail: () => stderr,
      async ensureTopics(topics) {
        const undeclared = topics.filter((topic) => !declared.has(topic));
        if (undeclared.length > 0) throw new Error(`go-mokapi serves only the topics declared at its start; not declared: ${undeclared.join(', ')}`);
      },
      stop: () => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    };
  }
}
