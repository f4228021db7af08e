import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ensurePrometheus, REPO } from '../support/prometheus.ts';

/**
 * The alert rules, evaluated by Prometheus' own rule engine (`promtool test rules`) on input series
 * written for each alert in deploy/prometheus/alerts.test.yml: each fires where it should and is
 * quiet where it should not page.
 */

const run = promisify(execFile);
const rules = parse(readFileSync(`${REPO}/deploy/prometheus/alerts.yml`, 'utf8')) as { groups: { rules: { alert?: string; record?: string }[] }[] };
const unitTests = parse(readFileSync(`${REPO}/deploy/prometheus/alerts.test.yml`, 'utf8')) as {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[]; promql_expr_test?: { expr: string }[] }[];
};

beforeAll(() => ensurePrometheus(), 600_000);

test('promtool accepts the rule file', async () => {
  const { stdout } = await run('promtool', ['check', 'rules', 'alerts.yml'], { cwd: `${REPO}/deploy/prometheus` });
  expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
});

test('promtool test rules: every case of alerts.test.yml passes', async () => {
  const result = await run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: `${REPO}/deploy/prometheus` }).catch((error: { stdout: string; stderr: string }) => error);
  expect(`${result.stdout}${result.stderr}`).toMatch(/^\s*SUCCESS\s*$/m);
});

test('every alert is tested firing and quiet, every recording rule is tested', () => {
  const cases = unitTests.tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const alert of rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.alert ? [r.alert] : []))) {
    const mine = cases.filter((c) => c.alertname === alert);
    expect({ alert, fires: mine.some((c) => (c.exp_alerts ?? []).length > 0), quiet: mine.some((c) => (c.exp_alerts ?? []).length === 0) })
      .toEqual({ alert, fires: true, quiet: true });
  }
  // The metric names the expressions query, whole: `a:b` must not count as tested because `a:b:sum` is.
  const queried = new Set(unitTests.tests.flatMap((t) => t.promql_expr_test ?? []).flatMap((t) => t.expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []));
  for (const record of rules.groups.flatMap((g) => g.rules).flatMap((r) => (r.record ? [r.record] : []))) {
    expect({ record, tested: queried.has(record) }).toEqual({ record, tested: true });
  }
});
