/**
 * `npm run bench:million [-- --commands=N] [-- --node-options='--max-old-space-size=…']`: the service, with its default settings, drains
 * 1,000,000 preloaded commands on the embedded Apache Kafka. Reports the service's peak RSS and
 * PostgreSQL's CPU per command over the first and the last 100,000 commands: the tables must stay
 * bounded (retention) and the cost per command flat. Merges its keys into bench/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mintToken } from '../src/auth/tokens.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { kafkaClient, preload } from './lib/kafka.ts';
import { cpuMicros, currentRssMb, peakRssMb, stopAllChildren, treeCpuMicros } from './lib/procs.ts';
import { REPO, startServiceProcess } from './lib/service.ts';
import { AUDIENCE, ISSUER, processorTopics, startBenchStack } from './lib/stack.ts';
import { plan, type Tokens } from './lib/workload.ts';

const { values: flags } = parseArgs({
  options: { commands: { type: 'string', default: '1000000' }, results: { type: 'string' }, 'node-options': { type: 'string', default: '' } },
});
const COMMANDS = Number(flags.commands);
const WINDOW = Math.min(100_000, Math.floor(COMMANDS / 10));
/** Planned and preloaded in parts, so the driver never holds a million planned commands at once. */
const PART = 100_000;
const log = (message: string) => console.log(`[million ${new Date().toISOString().slice(11, 19)}] ${message}`);

interface Sample { at: number; done: number; postgresCpu: number; serviceCpu: number; rss: number }

/** Commands the service has handled, from its own counter (cheap to read, unlike counting rows). */
const handled = (metrics: string) => metrics.split('\n')
  .filter((line) => line.startsWith('commands_total{'))
  .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);

const stack = await startBenchStack('kafka');
try {
  const token = (role: 'MASTER' | 'OWNER', subject: string) =>
    mintToken({ privateKeyPem: stack.keys.privateKeyPem, subject, role, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 24 * 3600 });
  const tokens: Tokens = { masters: await Promise.all(['admin-kim', 'admin-lee', 'admin-park'].map((subject) => token('MASTER', subject))), owner: await token('OWNER', 'owner-99999') };
  const kafka = kafkaClient(stack.broker.brokers, 'bench-million');
  const serde = await connectSerde(stack.registry.url, processorTopics);
  let preloadSeconds = 0;
  for (let from = 0; from < COMMANDS; from += PART) {
    const part = await preload(kafka, serde, processorTopics, plan(Math.min(PART, COMMANDS - from), tokens, 1000 + from / PART), { lanes: 2, batch: 2000 });
    preloadSeconds += part.seconds;
    log(`preloaded ${Math.min(from + PART, COMMANDS)} commands`);
  }
  const service = await startServiceProcess({
    brokers: stack.broker.brokers, registryUrl: stack.registry.url, databaseUrl: await stack.database('million'), publicKeyPem: stack.keys.publicKeyPem,
    groupId: 'bench-million', extraEnv: { ...stack.serviceEnv, ...(flags['node-options'] && { NODE_OPTIONS: flags['node-options'] }) },
  });
  await service.ready(120_000);
  const pid = service.child.pid;
  const samples: Sample[] = [];
  const sample = async () => samples.push({
    at: performance.now(), done: handled(await service.metricsText()), postgresCpu: treeCpuMicros(stack.postgresPid), serviceCpu: cpuMicros(pid), rss: currentRssMb(pid),
  });
  await sample();
  for (let lastLog = 0; samples.at(-1)!.done < COMMANDS;) {
    if (service.child.process.exitCode !== null) throw new Error(`service exited:\n${service.child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await sample();
    if (samples.at(-1)!.done - lastLog >= 100_000) {
      lastLog = samples.at(-1)!.done;
      log(`${lastLog} handled, RSS ${Math.round(samples.at(-1)!.rss)} MB`);
    }
  }
  const first = samples.find((s) => s.done >= WINDOW)!;
  const lastFrom = samples.findLast((s) => s.done <= COMMANDS - WINDOW)!;
  const last = samples.at(-1)!;
  const perCommand = (a: Sample, b: Sample, key: 'postgresCpu' | 'serviceCpu') => Math.round((b[key] - a[key]) / (b.done - a.done));
  const drained = (last.at - samples[0]!.at) / 1000;
  const results = {
    peak_rss_mb_1m: Math.round(peakRssMb(pid)),
    pg_cpu_us_per_cmd_first_100k: perCommand(samples[0]!, first, 'postgresCpu'),
    pg_cpu_us_per_cmd_last_100k: perCommand(lastFrom, last, 'postgresCpu'),
    million_run: {
      commands: COMMANDS, window: WINDOW, preloadSeconds: Math.round(preloadSeconds), drainSeconds: Math.round(drained), cmdsPerSecond: Math.round(COMMANDS / drained),
      service_cpu_us_per_cmd_first: perCommand(samples[0]!, first, 'serviceCpu'), service_cpu_us_per_cmd_last: perCommand(lastFrom, last, 'serviceCpu'),
      rssMbEvery10s: samples.filter((_, index) => index % 10 === 0).map((s) => Math.round(s.rss)),
      settings: flags['node-options'] ? `service defaults plus NODE_OPTIONS=${flags['node-options']}` : 'service defaults', broker: stack.broker.label, at: new Date().toISOString(),
    },
  };
  await service.child.stop();
  const file = flags.results ?? join(REPO, 'bench', 'results.json');
  const merged = { ...(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}), ...results };
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
} finally {
  await stopAllChildren();
  await stack.stop();
}
