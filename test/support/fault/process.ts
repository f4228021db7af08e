import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { ServiceConfig } from '../../../src/config.ts';
import { osPort } from './ports.ts';
import { topicEnvOf } from '../shared-stack.ts';

const REPO = new URL('../../../', import.meta.url).pathname;

const ERROR_LEVEL = /"level":(50|60)\b/;
const UNHANDLED = /Unhandled|uncaught/i;
/** Node's process warnings on stderr ("(node:123) [DEP0040] DeprecationWarning: ...") and its hint to trace them. */
const NODE_WARNING = /^\(node:\d+\) (\[\w+\] )?\w*Warning: |^\(Use `node --trace-/;

/** Every child started by this module, so a failing suite never leaves a processor behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => { for (const child of children) child.kill('SIGKILL'); });

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

const KAFKA_SECURITY = ['KAFKA_SECURITY_PROTOCOL', 'KAFKA_SSL_CA_FILE', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;

/** How the config reaches Kafka, as settings again (only those it has). */
const kafkaSecurityEnv = (config: ServiceConfig): Record<string, string> =>
  Object.fromEntries(KAFKA_SECURITY.flatMap((name) => (config[name] === undefined ? [] : [[name, String(config[name])]])));

/** The environment `node src/main.ts` needs to start nothing embedded and only the service. */
export function serviceEnv(config: ServiceConfig, overrides: Record<string, string> = {}): Record<string, string> {
  // The stack's own topics, and on go-mokapi its quirks (no idempotence among them).
  return {
    ...topicEnvOf(config),
    KAFKA_BROKER_QUIRKS: config.KAFKA_BROKER_QUIRKS,
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
    DATABASE_URL: config.DATABASE_URL,
    AUTH_PUBLIC_KEY: config.AUTH_PUBLIC_KEY!,
    AUTH_ISSUER: config.AUTH_ISSUER,
    AUTH_AUDIENCE: config.AUTH_AUDIENCE,
    HTTP_HOST: '127.0.0.1',
    KAFKA_GROUP_ID: config.KAFKA_GROUP_ID,
    ...kafkaSecurityEnv(config),
    LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn',
    ...overrides,
  };
}

/**
 * The service as a real operating-system process (`node src/main.ts`), the way it runs in
 * production: killed with real signals, its output kept in a log file for the post-mortem.
 */
export class ServiceProcess {
  readonly name: string;
  readonly httpPort: number;
  readonly pid: number;
  /** stdout and stderr, interleaved: the post-mortem. */
  readonly logFile: string;
  /** stderr alone: whatever the process wrote there besides its JSON log. */
  readonly stderrFile: string;
  readonly exited: Promise<Exit>;
  /** Resolves once the process exited and all it wrote is in the log files. */
  readonly drained: Promise<void>;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;
  private exit: Exit | null = null;

  private constructor(name: string, httpPort: number, child: ChildProcess, files: { logFile: string; stderrFile: string }, logs: WriteStream[]) {
    this.name = name;
    this.httpPort = httpPort;
    this.child = child;
    this.pid = child.pid!;
    this.logFile = files.logFile;
    this.stderrFile = files.stderrFile;
    // The logs end once the pipes are drained ('close'), not at 'exit': a dying process's last
    // words (an uncaught exception's stack) may still be in the pipe then.
    this.drained = new Promise<void>((resolve) => {
      child.once('close', () => {
        let open = logs.length;
        for (const log of logs) log.end(() => { if (--open === 0) resolve(); });
      });
    });
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        children.delete(child);
        resolve(this.exit);
      });
    });
  }

  /** Starts `node --disable-warning=TimeoutNegativeWarning --max-semi-space-size=16 [--import preload] src/main.ts` with exactly `env` (plus PATH and HOME). */
  static async start(options: { name: string; env: Record<string, string>; logDir: string; preload?: string; script?: string }): Promise<ServiceProcess> {
    const httpPort = await osPort();
    const stem = join(options.logDir, `${options.name}-${Date.now()}`);
    const files = { logFile: `${stem}.log`, stderrFile: `${stem}.stderr.log` };
    const log = createWriteStream(files.logFile);
    const stderr = createWriteStream(files.stderrFile);
    for (const stream of [log, stderr]) stream.on('error', () => {});
    // The flags the image's CMD and `npm start` give node (a kafkajs retry timer goes negative; a young generation V8 would size at 64 MB a semi-space).
    const args = ['--disable-warning=TimeoutNegativeWarning', '--max-semi-space-size=16', ...(options.preload ? ['--import', options.preload] : []), options.script ?? 'src/main.ts'];
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env, HTTP_PORT: String(httpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.stderr!.pipe(stderr, { end: false });
    return new ServiceProcess(options.name, httpPort, child, files, [log, stderr]);
  }

  get alive(): boolean {
    return this.exit === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** GET /readyz; null while nothing answers (starting, or gone). */
  async readyz(timeoutMs = 2000): Promise<{ status: number; body: { status: string; checks: Record<string, unknown> } } | null> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.httpPort}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, body: await response.json() as { status: string; checks: Record<string, unknown> } };
    } catch {
      return null;
    }
  }

  async metricsText(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`, { signal: AbortSignal.timeout(5000) });
    return response.text();
  }

  /** Resolves once /readyz answers 200; fails early if the process dies. */
  async waitReady(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.alive) throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before it was ready; log:\n${this.logTail()}`);
      const reply = await this.readyz();
      if (reply?.status === 200) return Date.now() - this.startedAt;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms (last ${JSON.stringify(reply)}); log:\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Resolves with the exit, or rejects when the process is still running after timeoutMs. */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} still running ${timeoutMs} ms later; log:\n${this.logTail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL and wait: for clean-up, never part of a scenario's measurements. */
  async destroy(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * The service's own JSON log entries (pino), those with message `msg` if given; a last line
   * still being written is passed over.
   */
  logEntries(msg?: string): Record<string, unknown>[] {
    let text: string;
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    const entries: Record<string, unknown>[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (msg === undefined || entry.msg === msg) entries.push(entry);
      } catch {
        // Cut short: the rest of it has not reached the file yet.
      }
    }
    return entries;
  }

  /**
   * What says something went wrong, for assertions that nothing blew up: the service's JSON log
   * lines at level error or fatal (pino: 50, 60), kafkajs's aside (it logs every retried protocol
   * error, rebalances among them, as an error); every line on stderr (console.error, an uncaught
   * exception's stack, anything not in the JSON log) but Node's own process warnings; and any
   * line naming an unhandled or uncaught error. Throws when a log cannot be read: "could not
   * look" is never "nothing wrong".
   */
  /** Its last `count` log lines above info (kafkajs's among them), for a failure's report. */
  recentWarnings(count = 40): string[] {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.includes('"level":30')).slice(-count);
    } catch {
      return [];
    }
  }

  errorLines(): string[] {
    const read = (file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`${this.name}: cannot read ${file} to look for errors: ${(error as Error).message}`);
      }
    };
    const stdoutAndStderr = read(this.logFile).split('\n');
    const stderr = read(this.stderrFile).split('\n').filter((line) => line.trim() !== '');
    const fromLog = stdoutAndStderr.filter((line) => (ERROR_LEVEL.test(line) && !line.includes('"component":"kafkajs"')) || UNHANDLED.test(line));
    const fromStderr = stderr.filter((line) => !NODE_WARNING.test(line) && !fromLog.includes(line));
    return [...fromLog, ...fromStderr];
  }
}
