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
