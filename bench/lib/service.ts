import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../dev/stack/ports.ts';
import { startChild, type Child } from './procs.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The node flags the service is started with (`npm start`, the image's CMD): its heap bounds among them. */
export const SERVICE_NODE_FLAGS = (JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start
  .split('exec node ')[1]!.split(' ').filter((word) => word.startsWith('--'));

export interface ServiceProcess {
  child: Child;
  port: number;
  url: string;
  /** Resolves once /readyz answers 200 (database reachable, consumer joined); the instant it saw that. */
  ready(timeoutMs?: number): Promise<number>;
  metricsText(): Promise<string>;
}

/** The service as it runs in production: `node <flags> src/main.ts`, configured only by its environment. */
export async function startServiceProcess(options: {
  brokers: string[]; registryUrl: string; databaseUrl: string; publicKeyPem: string; groupId: string;
  extraEnv?: Record<string, string>; nodeFlags?: string[];
  /** Checkout whose src/main.ts runs (default: this repository); for measuring a proposed change. */
  serviceDir?: string;
}): Promise<ServiceProcess> {
  const port = await freePort();
  const child = startChild('service', [...SERVICE_NODE_FLAGS, ...(options.nodeFlags ?? []), 'src/main.ts'], {
    cwd: options.serviceDir ?? REPO,
    env: {
      KAFKA_BROKERS: options.brokers.join(','),
      SCHEMA_REGISTRY_URL: options.registryUrl,
      DATABASE_URL: options.databaseUrl,
      AUTH_PUBLIC_KEY: options.publicKeyPem,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      KAFKA_GROUP_ID: options.groupId,
      LOG_LEVEL: 'warn',
      ...options.extraEnv,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    child, port, url,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.process.exitCode !== null) throw new Error(`service exited (${child.process.exitCode}):\n${child.tail()}`);
        const ok = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
        if (ok) return performance.now();
        if (Date.now() > deadline) throw new Error(`service not ready after ${timeoutMs} ms:\n${child.tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    metricsText: () => fetch(`${url}/metrics`).then((response) => response.text()),
  };
}

/** `name_sum` and `name_count` of a Prometheus histogram (all label sets added up). */
export function histogramTotals(text: string, name: string): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_sum`)) sum += Number(line.split(' ').pop());
    if (line.startsWith(`${name}_count`)) count += Number(line.split(' ').pop());
  }
  return { sum, count };
}
