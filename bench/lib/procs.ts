import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Child processes of the bench and what /proc says about them. Every child the bench starts is
 * registered here, so that `stopAll` (called from a finally block, and as a last resort from the
 * process exit handler) stops each of them by its own pid.
 */

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last few KB of its stderr and stdout, for error messages. */
  tail(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<Child>();

/** `args` of this Node binary, or of `options.command` (the Kafka Streams peer's JVM). */
export function startChild(name: string, args: string[], options: { env: Record<string, string>; cwd?: string; command?: string; onLine?: (line: string) => void }): Child {
  const child = spawn(options.command ?? process.execPath, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not start`);
  let output = '';
  let pendingLine = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000); };
  child.stderr!.on('data', keep);
  child.stdout!.on('data', (chunk: Buffer) => {
    keep(chunk);
    if (!options.onLine) return;
    const lines = (pendingLine + chunk.toString()).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entry: Child = {
    name,
    process: child,
    pid: child.pid,
    tail: () => output,
    exited,
    async stop(graceMs = 40_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  children.add(entry);
  void exited.then(() => children.delete(entry));
  return entry;
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop(10_000)));
}

process.once('exit', () => {
  for (const child of children) child.process.kill('SIGKILL');
});

const CLOCK_TICKS_PER_S = 100;

/** utime + stime of a process in microseconds, from /proc/<pid>/stat. `withChildren` adds reaped children. */
export function cpuMicros(pid: number, withChildren = false): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return NaN; // the process is gone
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
  return (ticks * 1e6) / CLOCK_TICKS_PER_S;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** CPU of a process tree (a postmaster and its backends, including backends that already exited). */
export function treeCpuMicros(rootPid: number): number {
  let total = 0;
  total += cpuMicros(rootPid, true);
  if (Number.isNaN(total)) return NaN;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === rootPid || parentOf(pid) !== rootPid) continue;
    const used = cpuMicros(pid);
    // NaN: exited between the listing and the read; its time is in the parent's cutime now.
    if (!Number.isNaN(used)) total += used;
  }
  return total;
}

/**
 * Seconds since the process was spawned: /proc/uptime minus its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot). NaN once it is gone.
 */
export function processAgeSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields[0] is field 3 (state): starttime, field 22, is fields[19].
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return uptime - startTicks / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

/** A memory line of /proc/<pid>/status in MB; NaN once the process is gone. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return NaN;
  }
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Peak resident set (VmHWM) in MB. */
export const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM');
export const currentRssMb = (pid: number) => statusMb(pid, 'VmRSS');

/** Machine-wide busy and total CPU time in microseconds, from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = values;
  const busy = user + nice + system + irq + softirq + steal;
  const total = busy + idle + iowait;
  return { busy: (busy * 1e6) / CLOCK_TICKS_PER_S, total: (total * 1e6) / CLOCK_TICKS_PER_S };
}
