import { pino } from 'pino';
import { createTokenVerifier } from '../../src/auth/tokens.ts';
import type { CommandSender } from '../../src/client/command-sender.ts';
import { createHttpApp } from '../../src/http/app.ts';
import type { LiveFeed } from '../../src/http/live-feed.ts';
import { createMetrics } from '../../src/metrics.ts';
import { connectDatabase } from '../../src/store/db.ts';

/**
 * The read API alone, in its own process, so that a test can measure what it holds while it
 * streams an export. Run with --expose-gc: every 250 ms it collects garbage and samples the heap
 * that is left, so the figures are what the process retains, not garbage awaiting collection.
 * Prints `{"port":N}` once it listens; SIGUSR2 starts the measurement over (after a warm-up
 * request has loaded the code a request runs) and prints `{"reset":true}`; SIGTERM prints
 * `{"baselineBytes":…,"peakBytes":…}` and exits.
 */
const env = process.env as Record<string, string>;
const db = await connectDatabase(env.DATABASE_URL!, 2);
const app = createHttpApp({
  db, verifier: createTokenVerifier({ publicKeyPem: env.AUTH_PUBLIC_KEY!, issuer: env.AUTH_ISSUER!, audience: env.AUTH_AUDIENCE! }),
  metrics: createMetrics(), logger: pino({ level: 'error' }), readiness: async () => ({ ready: true, checks: {} }),
  sender: {} as CommandSender, reviewDeadlineHours: 48, live: {} as LiveFeed,
});
const collect = (globalThis as { gc?: () => void }).gc!;
const retained = () => {
  collect();
  return process.memoryUsage().heapUsed;
};
let baselineBytes = retained();
let peakBytes = baselineBytes;
process.on('SIGUSR2', () => {
  baselineBytes = retained();
  peakBytes = baselineBytes;
  console.log(JSON.stringify({ reset: true }));
});
const sampler = setInterval(() => { peakBytes = Math.max(peakBytes, retained()); }, 250);
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })));
process.on('SIGTERM', () => {
  clearInterval(sampler);
  console.log(JSON.stringify({ baselineBytes, peakBytes }));
  server.close(() => void db.end().then(() => process.exit(0)));
});
