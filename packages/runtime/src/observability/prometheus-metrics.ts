import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventOutcomeLabel, OutputAttemptResult, WorkerMetrics } from './metrics';
import { BreakerStateValue, WorkerMetricName, type BreakerStateLabel } from './metric-names';

export { BreakerStateValue, METRIC_PREFIX, WorkerMetricName, type BreakerStateLabel } from './metric-names';

/**
 * Handler latency buckets in seconds: from a cache hit (5 ms) to a slow LLM call (2 min),
 * since agents range over both.
 */
export const DEFAULT_HANDLER_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface MetricsRegistryOptions {
  /** Also collect Node's process metrics (CPU, memory, event-loop lag, GC). Default true. */
  collectProcessMetrics?: boolean;
  /** Labels added to every series of this registry, e.g. `{ instance: 'ocr-1' }`. */
  defaultLabels?: Record<string, string>;
}

/**
 * A registry of its own rather than prom-client's global one: two workers (or a worker and a
 * coordinator) in one process, as in tests, would otherwise collide on metric names.
 * Later metric sets (sagas) register into the same registry so one /metrics serves them all.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.collectProcessMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export interface PrometheusWorkerMetricsOptions extends MetricsRegistryOptions {
  /** Register into this registry (shared with other metric sets) instead of creating one. */
  registry?: Registry;
  handlerDurationBuckets?: readonly number[];
}

type AgentOutcomeLabels = 'agent' | 'outcome';
type AgentResultLabels = 'agent' | 'result';
type AgentTierLabels = 'agent' | 'tier';
type AgentKindLabels = 'agent' | 'kind';
type AgentBreakerLabels = 'agent' | 'breaker';
type AgentPartitionLabels = 'agent' | 'topic' | 'partition';

/**
 * The worker's metrics in Prometheus form. Every method tolerates bad numbers (NaN, negative
 * counts) by dropping them: a metrics glitch must never fail the event being processed.
 */
export class PrometheusWorkerMetrics implements WorkerMetrics {
  readonly registry: Registry;
  private readonly events: Counter<AgentOutcomeLabels>;
  private readonly handlerSeconds: Histogram<AgentResultLabels>;
  private readonly retries: Counter<AgentTierLabels>;
  private readonly dlqWrites: Counter<AgentKindLabels>;
  private readonly breakers: Gauge<AgentBreakerLabels>;
  private readonly lag: Gauge<AgentPartitionLabels>;
  private readonly duplicates: Counter<'agent' | 'replay'>;
  private readonly outputAttempts: Counter<'agent' | 'by' | 'result'>;
  /**
   * Bound children of the per-event series: prom-client hashes a label object on every call
   * otherwise, twice per event.
   */
  private readonly eventCounters = new Map<string, Counter.Internal>();
  /** Per agent: the children for ok and error, found without building a key per event. */
  private readonly handlerHistograms = new Map<string, { ok: Histogram.Internal<AgentResultLabels>; error: Histogram.Internal<AgentResultLabels> }>();

  constructor(options: PrometheusWorkerMetricsOptions = {}) {
    this.registry = options.registry ?? createMetricsRegistry(options);
    const registers = [this.registry];
    this.events = new Counter({
      name: WorkerMetricName.events,
      help: 'Events consumed by an agent, by what became of them',
      labelNames: ['agent', 'outcome'],
      registers,
    });
    this.handlerSeconds = new Histogram({
      name: WorkerMetricName.handlerDuration,
      help: 'Time spent in the agent handler per call, by whether it succeeded',
      labelNames: ['agent', 'result'],
      buckets: [...(options.handlerDurationBuckets ?? DEFAULT_HANDLER_DURATION_BUCKETS)],
      registers,
    });
    this.retries = new Counter({
      name: WorkerMetricName.retries,
      help: 'Events sent to a retry topic, by retry tier',
      labelNames: ['agent', 'tier'],
      registers,
    });
    this.dlqWrites = new Counter({
      name: WorkerMetricName.dlqWrites,
      help: 'Events written to the dead-letter topic, by error kind',
      labelNames: ['agent', 'kind'],
      registers,
    });
    this.breakers = new Gauge({
      name: WorkerMetricName.breakerState,
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['agent', 'breaker'],
      registers,
    });
    this.lag = new Gauge({
      name: WorkerMetricName.consumerLag,
      help: 'Records between the committed offset and the high watermark, per assigned partition',
      labelNames: ['agent', 'topic', 'partition'],
      registers,
    });
    this.duplicates = new Counter({
      name: WorkerMetricName.duplicates,
      help: 'Events mesh dlq replay sent that were dropped as duplicates (replay="true"): replays that did not run; other duplicates are in mesh_events_total{outcome="duplicate"}',
      labelNames: ['agent', 'replay'],
      registers,
    });
    this.outputAttempts = new Counter({
      name: WorkerMetricName.outputAttempts,
      help: 'Candidate outputs of agents that declare output checks: by the handler or an alternative, valid, invalid or error',
      labelNames: ['agent', 'by', 'result'],
      registers,
    });
  }

  eventOutcome(agent: string, outcome: EventOutcomeLabel, count = 1): void {
    if (!isCount(count)) return;
    const key = `${agent}\u0000${outcome}`;
    let child = this.eventCounters.get(key);
    if (!child) this.eventCounters.set(key, (child = this.events.labels({ agent, outcome })));
    child.inc(count);
  }

  handlerDuration(agent: string, seconds: number, ok: boolean): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    let children = this.handlerHistograms.get(agent);
    if (!children) {
      children = { ok: this.handlerSeconds.labels({ agent, result: 'ok' }), error: this.handlerSeconds.labels({ agent, result: 'error' }) };
      this.handlerHistograms.set(agent, children);
    }
    (ok ? children.ok : children.error).observe(seconds);
  }

  retryScheduled(agent: string, tier: number): void {
    this.retries.inc({ agent, tier: String(tier) });
  }

  deadLettered(agent: string, kind: string): void {
    this.dlqWrites.inc({ agent, kind });
  }

  breakerState(agent: string, breaker: string, state: BreakerStateLabel): void {
    this.breakers.set({ agent, breaker }, BreakerStateValue[state]);
  }

  consumerLag(agent: string, topic: string, partition: number, lag: number): void {
    if (!Number.isFinite(lag)) return;
    this.lag.set({ agent, topic, partition: String(partition) }, Math.max(0, lag));
  }

  replayedDuplicateDropped(agent: string): void {
    this.duplicates.inc({ agent, replay: 'true' });
  }

  outputAttempt(agent: string, by: string, result: OutputAttemptResult): void {
    this.outputAttempts.inc({ agent, by, result });
  }

  /**
   * Drops the lag series of a partition this worker no longer owns (after a rebalance), so a
   * stale value does not linger as if it were still being consumed here.
   */
  forgetPartition(agent: string, topic: string, partition: number): void {
    this.lag.remove({ agent, topic, partition: String(partition) });
  }

  /** The Prometheus text exposition of everything in this registry. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

function isCount(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}
