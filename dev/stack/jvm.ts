import { spawn, type ChildProcess } from 'node:child_process';

/** A JVM we started: Kafka's node or Apicurio Registry. */
export interface Jvm {
  child: ChildProcess;
  pid: number;
  /** null while it runs; once it has exited, how, with the last lines it wrote. */
  exited(): string | null;
  output(): string;
  gone: Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

/**
 * Starts a JVM in a process group of its own, so that a terminal's Ctrl-C reaches only us and
 * we stop it after the service has finished its batch, instead of it vanishing under the
 * service. It is killed if this process exits without stopping it.
 */
export function spawnJvm(name: string, java: string, args: string[], options: { cwd?: string } = {}): Jvm {
  const child = spawn(java, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-65_536); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | null = null;
  const gone = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    const last = output.trim().split('\n').filter((line) => !/^\s+(at |\.\.\. \d+ more)/.test(line)).slice(-15).join('\n');
    exited = `${name} exited (${code ?? signal}): ${last}`;
    resolve();
  }));
  const killOnExit = () => { try { child.kill('SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', killOnExit);
  void gone.then(() => process.removeListener('exit', killOnExit));
  return {
    child,
    pid: child.pid!,
    exited: () => exited,
    output: () => output,
    gone,
    async stop(graceMs) {
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
    async kill() {
      if (exited !== null) return;
      child.kill('SIGKILL');
      await gone;
    },
  };
}
