const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Prometheus adds these per target itself. */
export const SCRAPE_METRICS = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Metric names a PromQL expression selects (functions, keywords, labels, durations and numbers removed). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+|ms|[smhdwy])?\b/gi, ' ');
  return [...new Set([...stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .filter((match) => !/^\s*\(/.test(stripped.slice(match.index! + match[0].length)))
    .map((match) => match[0])
    .filter((name) => !PROMQL_WORDS.has(name.toLowerCase())))];
}

/**
 * Every series name a /metrics text declares (`# TYPE`), with the _bucket/_sum/_count series of
 * histograms and summaries: what the service exports, whether or not a labelled metric has a
 * sample yet.
 */
export function declaredMetrics(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') ['_bucket', '_sum', '_count'].forEach((suffix) => names.add(`${name}${suffix}`));
    if (type === 'summary') ['_sum', '_count'].forEach((suffix) => names.add(`${name}${suffix}`));
  }
  return names;
}
