import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../../dev/stack/ports.ts';
import { approve, forCommand, submitNew } from '../support/commands.ts';
import { eventually, startPipeline, type Pipeline } from '../support/pipeline.ts';
import { ensurePrometheus, REPO } from '../support/prometheus.ts';
import { parseMetrics } from '../support/metrics.ts';
import { declaredMetrics, metricNames, SCRAPE_METRICS } from '../support/promql.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

/**
 * The real Prometheus (Debian's 2.42) scraping a running service on the embedded stack, with
 * deploy/prometheus's scrape job and rule file: every recording and alert expression evaluates
 * without error and selects only series that exist, and every query of the Grafana dashboard asks
 * for metrics the service exports (read from its /metrics, not from a list kept here).
 */

interface Rule { alert?: string; record?: string; expr: string }
const rulesFile = join(REPO, 'deploy/prometheus/alerts.yml');
const rules = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dashboards/backoffice.json'), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
const panelQueries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

let stack: TestStack;
let pipeline: Pipeline;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
let dir: string;
let exported: Set<string>;
let sampled: Set<string>;

/** deploy/prometheus/prometheus.yml with its `backoffice` job pointed at the test's service, scraping every second. */
function scrapeConfig(servicePort: number): string {
  const config = parse(readFileSync(join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    global: Record<string, string>; rule_files: string[]; scrape_configs: { job_name: string; dns_sd_configs?: unknown; static_configs?: unknown }[];
  };
  const job = config.scrape_configs.find((candidate) => candidate.job_name === 'backoffice')!;
  delete job.dns_sd_configs;
  job.static_configs = [{ targets: [`127.0.0.1:${servicePort}`] }];
  return stringify({
    ...config, global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: [rulesFile],
    scrape_configs: config.scrape_configs.filter((candidate) => candidate.job_name === 'backoffice'),
  });
}

async function query(expr: string): Promise<{ status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  return response.json() as never;
}

// eslint-disable-next-line honesty/no-default-figure -- PromQL count() of no series is an empty result, i.e. 0; every use asserts > 0
const seriesCount = async (name: string) => Number((await query(`count({__name__="${name}"})`)).data?.result[0]?.value[1] ?? 0);

beforeAll(async () => {
  await ensurePrometheus();
  stack = await startTestStack({ partitions: 2, env: { METRICS_POLL_INTERVAL_MS: '200' } });
  pipeline = await startPipeline(stack);
  const master = await stack.token('MASTER', 'admin-prometheus');
  // Traffic that gives each labelled counter a series: accepted commands, a decision, a dead letter.
  const [submitted] = await pipeline.sender.send([submitNew('owner-prometheus')]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, submitted!.commandId));
  const [approved] = await pipeline.sender.send([approve(submitted!.applicationId, master)]);
  await pipeline.reader.waitFor(forCommand(pipeline.topics.events, approved!.commandId));
  await pipeline.sender.sendRaw([{ key: 'garbage-prometheus', value: Buffer.from('not avro') }]);
  await pipeline.reader.waitFor((m) => m.topic === pipeline.topics.dlq);
  const metricsText = await (await fetch(`http://127.0.0.1:${pipeline.service.httpPort}/metrics`)).text();
  exported = declaredMetrics(metricsText);
  sampled = new Set(parseMetrics(metricsText).map((sample) => sample.name));

  dir = mkdtempSync(join(tmpdir(), 'backoffice-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), scrapeConfig(pipeline.service.httpPort));
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  await eventually(async () => ((await fetch(`${prometheusUrl}/-/ready`).then((r) => r.ok, () => false)) ? true : undefined), 60_000);
  // Then once the service is scraped and every rule group has run on two scrapes (rates need two samples).
  await eventually(async () => ((await seriesCount('up')) === 1 && (await seriesCount('backoffice:commands_processed:rate5m')) > 0 ? true : undefined), 60_000);
}, 600_000);

afterAll(async () => {
  if (prometheus?.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  await pipeline?.stop();
  await stack?.stop();
});

test('Prometheus evaluates every rule of alerts.yml without error', async () => {
  const answer = await (await fetch(`${prometheusUrl}/api/v1/rules`)).json() as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
  const evaluated = answer.data.groups.flatMap((group) => group.rules);
  expect(evaluated.map((rule) => rule.name).sort()).toEqual(rules.map((rule) => rule.alert ?? rule.record).sort());
  for (const rule of await eventually(async () => {
    const current = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json() as typeof answer).data.groups.flatMap((group) => group.rules);
    return current.every((r) => r.health !== 'unknown') ? current : undefined;
  })) expect({ rule: rule.name, health: rule.health, error: rule.lastError ?? '' }).toEqual({ rule: rule.name, health: 'ok', error: '' });
});

test('every rule expression answers, and every series it selects exists: exported by the service, scraped, or recorded', async () => {
  for (const rule of rules) {
    const name = rule.alert ?? rule.record;
    const answer = await query(rule.expr);
    expect({ rule: name, status: answer.status, error: answer.error }).toEqual({ rule: name, status: 'success', error: undefined });
    const selected = metricNames(rule.expr);
    expect({ rule: name, selects: selected.length > 0 }).toEqual({ rule: name, selects: true });
    for (const metric of selected) {
      const known = recorded.has(metric) || SCRAPE_METRICS.has(metric) || exported.has(metric);
      expect({ rule: name, metric, known }).toEqual({ rule: name, metric, known: true });
      // A labelled metric that never counted (no collector failed, say) is declared but has no series yet.
      if (recorded.has(metric) || SCRAPE_METRICS.has(metric) || sampled.has(metric)) {
        // eslint-disable-next-line honesty/guarded-expect -- only metrics that must have a series by now: a labelled counter that never counted has none (see above)
        expect({ rule: name, metric, series: (await seriesCount(metric)) > 0 }).toEqual({ rule: name, metric, series: true });
      }
    }
  }
});

test('the health gauges alerts rely on are scraped: ready, no step stalled', async () => {
  expect((await query('backoffice_service_ready{job="backoffice"}')).data!.result.map((r) => r.value[1])).toEqual(['1']);
  const stalled = (await query('backoffice_processor_stalled_step')).data!.result;
  expect(stalled.map((r) => r.metric.step).sort()).toEqual(['claim', 'commit', 'database', 'decode', 'drain-outbox', 'publish']);
  expect(stalled.every((r) => r.value[1] === '0')).toBe(true);
  expect(Number((await query('sum(backoffice_dlq_messages_total)')).data!.result[0]!.value[1])).toBe(1);
});

test('every query of the Grafana dashboard selects metrics the service exports, and Prometheus answers it', async () => {
  expect(panelQueries.length).toBeGreaterThanOrEqual(10);
  for (const { panel, expr } of panelQueries) {
    const names = metricNames(expr);
    expect({ panel, expr, names: names.length > 0 }).toEqual({ panel, expr, names: true });
    for (const name of names) expect({ panel, name, exported: exported.has(name) || SCRAPE_METRICS.has(name) }).toEqual({ panel, name, exported: true });
    // Grafana's own variables, as Grafana would fill them in.
    const answer = await query(expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '15s'));
    expect({ panel, expr, status: answer.status, error: answer.error }).toEqual({ panel, expr, status: 'success', error: undefined });
  }
});

test('the PromQL reader finds metrics and skips functions, labels, ranges, durations and numbers', () => {
  expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(backoffice_http_request_duration_seconds_bucket{job="x"}[$__rate_interval])))'))
    .toEqual(['backoffice_http_request_duration_seconds_bucket']);
  expect(metricNames('max(a_total) > 0 and sum(rate(b_total[5m])) == 0')).toEqual(['a_total', 'b_total']);
  expect(metricNames('up{job="backoffice"} == 0')).toEqual(['up']);
  expect(metricNames('x:sum > 0 and (y:rate5m or vector(0)) == 0')).toEqual(['x:sum', 'y:rate5m']);
  expect(metricNames('sum(c_total unless c_total offset 15m) > 3 * 24 * 3600')).toEqual(['c_total']);
  expect(metricNames('typo_metric_totl > 1')).toEqual(['typo_metric_totl']);
});
