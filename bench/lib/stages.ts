/**
 * Where a command's time goes inside the service, from two scrapes of its /metrics:
 * `backoffice_processor_stage_seconds{stage}` (one observation per pass of a stage) and
 * `backoffice_processor_append_to_outcome_seconds` (from the command record's append time on the broker
 * to the publish acknowledgement of its outcome).
 */

export const STAGES = ['fetch_wait', 'decode', 'transaction', 'publish', 'commit'] as const;
const STAGE_METRIC = 'backoffice_processor_stage_seconds';
const OUTCOME_METRIC = 'backoffice_processor_append_to_outcome_seconds';

export interface StageFigure {
  observations: number;
  meanMs: number;
  /** Upper bound of the bucket that holds the 99th percentile; null when that is the +Inf bucket (then see p99AboveMs). */
  p99AtMostMs: number | null;
  p99AboveMs: number | null;
}

export type Breakdown =
  | { available: true; stages: Record<(typeof STAGES)[number], StageFigure>; appendToOutcome: StageFigure }
  | { available: false; reason: string };

interface Series { sum: number; count: number; buckets: Map<number, number> }

const LABELS = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** A histogram's series whose labels include `match`, added up over the other labels; null when no such series exists. */
function series(text: string, name: string, match: Record<string, string>): Series | null {
  const found: Series = { sum: 0, count: 0, buckets: new Map() };
  let seen = false;
  const pattern = new RegExp(`^${name}_(bucket|sum|count)(?:\\{(.*)\\})? (\\S+)$`);
  for (const line of text.split('\n')) {
    const parsed = pattern.exec(line);
    if (!parsed) continue;
    const labels = Object.fromEntries([...(parsed[2] ?? '').matchAll(LABELS)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(match).some(([key, value]) => labels[key] !== value)) continue;
    const value = Number(parsed[3]);
    seen = true;
    if (parsed[1] === 'sum') found.sum += value;
    else if (parsed[1] === 'count') found.count += value;
    else {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      found.buckets.set(le, (found.buckets.get(le) ?? 0) + value);
    }
  }
  return seen ? found : null;
}

/** `before` null: the series did not exist yet, which for a histogram means no observation yet. */
function figure(before: Series | null, after: Series): StageFigure | null {
  const count = after.count - (before?.count ?? 0);
  if (count <= 0) return null;
  const sum = after.sum - (before?.sum ?? 0);
  const bounds = [...after.buckets.keys()].filter(Number.isFinite).sort((a, b) => a - b);
  const index = bounds.findIndex((le) => after.buckets.get(le)! - (before?.buckets.get(le) ?? 0) >= 0.99 * count);
  return {
    observations: count,
    meanMs: Math.round((sum / count) * 1e5) / 100,
    p99AtMostMs: index >= 0 ? bounds[index]! * 1000 : null,
    // In the +Inf bucket: all that is known is its lower edge, the highest finite bound (0 if there is none).
    p99AboveMs: index >= 0 ? null : (bounds.at(-1) ?? 0) * 1000,
  };
}

const exposes = (text: string, name: string) => new RegExp(`^# TYPE ${name} histogram$`, 'm').test(text);

/**
 * The breakdown between two scrapes. Until the service exposes either histogram it is unavailable
 * and that is no error; once it exposes one, every stage and the append-to-outcome histogram must
 * have observations in the window, or `error` says which is missing: a stage read as zero would
 * pass for a free one.
 */
export function stageBreakdown(before: string, after: string): { breakdown: Breakdown; error: string | null } {
  if (!exposes(after, STAGE_METRIC) && !exposes(after, OUTCOME_METRIC)) {
    return { breakdown: { available: false, reason: `the service does not expose ${STAGE_METRIC} or ${OUTCOME_METRIC}` }, error: null };
  }
  const missing: string[] = [];
  const read = (name: string, match: Record<string, string>, label: string) => {
    const now = series(after, name, match);
    const result = now && figure(series(before, name, match), now);
    if (!result) missing.push(now ? `${label} (no observations in this window)` : label);
    return result;
  };
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, read(STAGE_METRIC, { stage }, `${STAGE_METRIC}{stage="${stage}"}`)]));
  const appendToOutcome = read(OUTCOME_METRIC, {}, OUTCOME_METRIC);
  if (missing.length > 0) {
    const reason = `metric missing: ${missing.join(', ')}`;
    return { breakdown: { available: false, reason }, error: reason };
  }
  return { breakdown: { available: true, stages: stages as Record<(typeof STAGES)[number], StageFigure>, appendToOutcome: appendToOutcome! }, error: null };
}

/** Lines for the log: mean and p99 of each stage, or why there is no breakdown. */
export function describeBreakdown(breakdown: Breakdown): string[] {
  if (!breakdown.available) return [`per-stage breakdown unavailable: ${breakdown.reason}`];
  const show = (name: string, f: StageFigure) =>
    `${name.padEnd(18)} mean ${f.meanMs.toFixed(2).padStart(9)} ms   p99 ${f.p99AtMostMs === null ? `> ${f.p99AboveMs}` : `<= ${f.p99AtMostMs}`} ms   (${f.observations} observations)`;
  return [...STAGES.map((stage) => show(stage, breakdown.stages[stage])), show('append->outcome', breakdown.appendToOutcome)];
}
