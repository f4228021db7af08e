import { createServer, connect } from 'node:net';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports for children (broker, database) that must be told theirs up front. An OS-assigned port
 * is released before the child binds it, so two test workers could be handed the same one;
 * instead each process takes ports from its own block below the ephemeral range (32768+).
 */
const BLOCK = 200;
const blockStart = 20_000 + ((Number(process.env.JEST_WORKER_ID) || (process.pid % 50) + 10) % 60) * BLOCK;
let next = 0;

export async function freePort(): Promise<number> {
  for (let tried = 0; tried < BLOCK; tried++) {
    const port = blockStart + (next++ % BLOCK);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${blockStart}..${blockStart + BLOCK - 1}`);
}

/**
 * Starts a child on `fixed`, or on a free port: one can be taken by another run between our
 * check and the child's bind, so a start on a free port is tried up to three times.
 */
export async function onFreePort<T>(fixed: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(fixed || await freePort());
    } catch (error) {
      if (fixed || attempt >= 3) throw error;
    }
  }
}

/** Resolves once something accepts TCP connections on the port, or rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, abort?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = abort?.();
    if (failure) throw new Error(failure);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Inodes of the sockets listening on `port` (IPv4 and IPv6), from /proc/net. */
function listeningInodes(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
      .map((cols) => cols[9]!);
  });
}

/**
 * Whether process `pid` is the one listening on `port`. A second run on the same machine may
 * start a child on the same port at the same moment; the loser exits, but a connect test alone
 * would succeed against the winner. Without /proc (not Linux) it cannot tell and says yes.
 */
export function listensOn(pid: number, port: number): boolean {
  if (!existsSync('/proc/net/tcp')) return true;
  const inodes = new Set(listeningInodes(port).map((inode) => `socket:[${inode}]`));
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try { return inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`)); } catch { return false; }
    });
  } catch {
    return false;
  }
}
