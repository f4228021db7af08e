/**
 * Startup time and memory of the embedded broker and registry (docs/operations.md): each
 * started alone, twice, from the cached jars, on a fresh data directory.
 *   npm exec -- node scripts/embedded-footprint.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApicurio } from '../dev/stack/apicurio.ts';
import { startKafka } from '../dev/stack/kafka.ts';

const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024);

for (let run = 1; run <= 2; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-footprint-'));
  let started = Date.now();
  const kafka = await startKafka({ dir });
  const kafkaReadyMs = Date.now() - started;
  await kafka.ensureTopics(['footprint'], 6);
  const kafkaRssMb = rssMb(kafka.pid);
  await kafka.stop();
  started = Date.now();
  const registry = await startApicurio();
  const registryReadyMs = Date.now() - started;
  const registryRssMb = rssMb(registry.pid);
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ run, broker: kafka.label, kafkaReadyMs, kafkaRssMb, registry: registry.label, registryReadyMs, registryRssMb }));
}
