// The names and values of the mesh's metrics, apart from prom-client, so that alert rules and readers need not load it.

/** Every metric agentmesh exports starts with this, so dashboards can select them in one go. */
export const METRIC_PREFIX = 'mesh_';

/** The metric names of the worker, for dashboards, alerts and tests. */
export const WorkerMetricName = {
  events: `${METRIC_PREFIX}events_total`,
  handlerDuration: `${METRIC_PREFIX}handler_duration_seconds`,
  retries: `${METRIC_PREFIX}retries_total`,
  dlqWrites: `${METRIC_PREFIX}dlq_writes_total`,
  breakerState: `${METRIC_PREFIX}breaker_state`,
  consumerLag: `${METRIC_PREFIX}consumer_lag`,
  duplicates: `${METRIC_PREFIX}duplicates_total`,
  outputAttempts: `${METRIC_PREFIX}output_attempts_total`,
} as const;

/** Gauge values of `mesh_breaker_state`; ordered so that "higher is worse" in a graph. */
export const BreakerStateValue = { closed: 0, 'half-open': 1, open: 2 } as const;
export type BreakerStateLabel = keyof typeof BreakerStateValue;
