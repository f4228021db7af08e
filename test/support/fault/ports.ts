import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port from the kernel's ephemeral range, released at once for a child to bind. The shared
 * helper hands out ports from fixed per-worker blocks, which other test runs on the same
 * machine use as well; the fault suites run long enough to meet them.
 */
export function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Established TCP connections that process `pid` holds to 127.0.0.1:`port`, from /proc (Linux).
 * Throws when it cannot look (no /proc, the process gone): a count it could not take must never
 * read as "none" or "some".
 */
export function connectionsTo(pid: number, port: number): number {
  const own = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; }
  }).filter((link) => link.startsWith('socket:[')).map((link) => link.slice(8, -1)));
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[2] === remote && cols[3] === '01' && own.has(cols[9]!)).length;
}
