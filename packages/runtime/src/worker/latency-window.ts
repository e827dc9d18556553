import type { WorkerMetrics } from '../observability/metrics';

/** Handler latency over one heartbeat interval. */
export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
}

/** The `q` quantile (0..1) of ascending `sorted` values, by linear interpolation between the nearest ranks; undefined when empty. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

/** Samples kept per interval: beyond this, reservoir sampling keeps a uniform subset, so memory is bounded under load. */
const RESERVOIR_SIZE = 2_048;

/** Handler durations since the last `drain()`, summarised as p50 and p99 for the next heartbeat. */
export class LatencyWindow {
  private samples: number[] = [];
  private seen = 0;

  constructor(private readonly random: () => number = Math.random) {}

  record(ms: number): void {
    this.seen += 1;
    if (this.samples.length < RESERVOIR_SIZE) this.samples.push(ms);
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < RESERVOIR_SIZE) this.samples[slot] = ms;
    }
  }

  /** The interval's summary (undefined when no handler ran), and a fresh interval. */
  drain(): LatencySummary | undefined {
    const sorted = this.samples.sort((a, b) => a - b);
    this.samples = [];
    this.seen = 0;
    if (sorted.length === 0) return undefined;
    return { p50Ms: percentile(sorted, 0.5)!, p99Ms: percentile(sorted, 0.99)! };
  }
}

/** `metrics`, with every handler duration also recorded in `window`. */
export function recordingLatency(metrics: WorkerMetrics, window: LatencyWindow): WorkerMetrics {
  return {
    eventOutcome: (agent, outcome, count) => metrics.eventOutcome(agent, outcome, count),
    handlerDuration: (agent, seconds, ok) => {
      window.record(seconds * 1000);
      metrics.handlerDuration(agent, seconds, ok);
    },
    retryScheduled: (agent, tier) => metrics.retryScheduled(agent, tier),
    deadLettered: (agent, kind) => metrics.deadLettered(agent, kind),
    breakerState: (agent, breaker, state) => metrics.breakerState(agent, breaker, state),
    consumerLag: (agent, topic, partition, lag) => metrics.consumerLag(agent, topic, partition, lag),
    replayedDuplicateDropped: (agent) => metrics.replayedDuplicateDropped(agent),
    outputAttempt: (agent, by, result) => metrics.outputAttempt(agent, by, result),
  };
}
