import { IsolationForest } from './isolation-forest';

/** An agent's metrics over one slice of its history: what the forest compares. */
export interface MetricWindow {
  /** Start of the slice, epoch ms. */
  at: number;
  /** Events processed a second. */
  throughput: number;
  errorRate: number;
  p99Ms: number;
  lag: number;
  /** Retries a second. */
  retries: number;
}

export interface Anomaly {
  at: number;
  /** Isolation score, 0..1: the higher, the easier the window was to isolate from the others. */
  score: number;
  /** The metric that stands furthest from its median in the window, which an operator looks at first. */
  metric: keyof Omit<MetricWindow, 'at'>;
  window: MetricWindow;
}

export interface AnomalyOptions {
  /** Score at or above which a window is a candidate. Default 0.6. */
  threshold?: number;
  /** How far (in median absolute deviations) its standout metric must lie from the median for a candidate to be flagged. Default 5. */
  deviations?: number;
  /** Fewer windows than this are too little history to judge. Default 8. */
  minWindows?: number;
}

const METRICS = ['throughput', 'errorRate', 'p99Ms', 'lag', 'retries'] as const;

const vector = (w: MetricWindow): number[] => METRICS.map((m) => w[m]);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The metric furthest from its median, in units of its spread (median absolute deviation, at least a little). */
function standout(w: MetricWindow, windows: readonly MetricWindow[]): { metric: Anomaly['metric']; distance: number } {
  let best: Anomaly['metric'] = METRICS[0];
  let furthest = -1;
  for (const m of METRICS) {
    const values = windows.map((x) => x[m]);
    const mid = median(values);
    const spread = Math.max(median(values.map((v) => Math.abs(v - mid))), Math.abs(mid) * 0.01, 1e-9);
    const distance = Math.abs(w[m] - mid) / spread;
    if (distance > furthest) [best, furthest] = [m, distance];
  }
  return { metric: best, distance: furthest };
}

/**
 * The windows of one agent's history that an isolation forest, trained on that same history, isolates easily.
 * Each agent is its own baseline: a busy agent's normal is not a quiet one's. With a few dozen windows the forest's
 * scores of plain noise reach its threshold now and then, so a candidate must also stand far out on one metric.
 */
export function detectAnomalies(windows: readonly MetricWindow[], options: AnomalyOptions = {}): Anomaly[] {
  if (windows.length < (options.minWindows ?? 8)) return [];
  // The answer depends on the windows alone (the forest is seeded): a long-running reader asks again with the same
  // complete windows at every refresh until the next slice completes, and growing a forest is the model's dearest part.
  const key = JSON.stringify([options, windows]);
  const known = remembered.get(key);
  if (known) return known;
  if (remembered.size >= REMEMBERED_MAX) remembered.clear();
  const found = isolate(windows, options);
  remembered.set(key, found);
  return found;
}

/** Answers of detectAnomalies by their question; bounded (a fleet of a few hundred agents fits). */
const remembered = new Map<string, Anomaly[]>();
const REMEMBERED_MAX = 2_000;

function isolate(windows: readonly MetricWindow[], options: AnomalyOptions): Anomaly[] {
  const forest = IsolationForest.fit(windows.map(vector), { trees: 100 });
  const threshold = options.threshold ?? 0.6;
  const deviations = options.deviations ?? 5;
  return windows.flatMap((w) => {
    const score = forest.score(vector(w));
    if (score < threshold) return [];
    const { metric, distance } = standout(w, windows);
    return distance >= deviations ? [{ at: w.at, score, metric, window: w }] : [];
  });
}
