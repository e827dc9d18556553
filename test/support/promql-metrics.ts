// Which metrics a PromQL expression reads, and which series a Prometheus text exposition serves: so a test can
// check that every metric an alert rule or a dashboard panel names is one the mesh exports.

/** Words of PromQL that look like names but are not metrics. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** The metric names an expression selects, in order of first use (`foo_bucket` stays `foo_bucket`). */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    // String literals: label values, Grafana variables inside them.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // Label matchers, ranges and subqueries (Grafana's $__rate_interval among them).
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    // Label lists of aggregations and vector matching.
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?\w+/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const before = bare[match.index - 1];
    // The exponent or unit of a number (1e3, 5m), a function call, or a keyword.
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    if (
      bare
        .slice(match.index + name.length)
        .trimStart()
        .startsWith('(')
    )
      continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

export interface ExposedSeries {
  /** The metric family: `mesh_handler_duration_seconds` for `mesh_handler_duration_seconds_bucket`. */
  family: string;
  type: string;
  samples: number;
}

/** Suffixes a family's samples carry, by the family's type. */
const SAMPLE_SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/**
 * The sample names of a text exposition that have at least one sample, each with its family: a histogram's
 * `_bucket`, `_sum` and `_count` belong to it, while a counter that happens to end in `_count` is its own family.
 */
export function exposedSeries(text: string): Map<string, ExposedSeries> {
  const types = new Map<string, string>();
  const series = new Map<string, ExposedSeries>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (name === undefined) continue;
    const known = series.get(name);
    if (known) {
      known.samples++;
      continue;
    }
    const owner = [...types].find(([family, t]) => (SAMPLE_SUFFIXES[t] ?? ['']).some((suffix) => family + suffix === name));
    series.set(name, { family: owner?.[0] ?? name, type: owner?.[1] ?? 'untyped', samples: 1 });
  }
  return series;
}
