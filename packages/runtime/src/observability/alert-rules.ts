import { BreakerStateValue, WorkerMetricName } from './prometheus-metrics';

/** One alert of the mesh: a PromQL condition over the metrics the mesh exports, and what it means. */
export interface AlertRule {
  /** Prometheus alert name. */
  name: string;
  /** PromQL; the alert fires while it returns series (for at least `for`). */
  expr: string;
  /** How long the condition must hold, Prometheus duration syntax. */
  for: string;
  severity: 'warning' | 'critical';
  /** One line, with {{ $labels.x }} where a label says which agent or instance. */
  summary: string;
}

const M = WorkerMetricName;
const byAgent = (metric: string, window: string) => `sum by (agent) (rate(${metric}[${window}]))`;

/**
 * The mesh's alerts, in one place: the source of the Prometheus rules shipped in
 * infra/prometheus/mesh-alerts.yml (a test checks the file against this list and with promtool).
 * Thresholds are the design notes': error rate over 5%, p99 latency over twice its usual, more than
 * one open breaker, a DLQ growing by over 100, over 50 retries a minute; and any stuck saga, any
 * saga partition a coordinator cannot act on.
 */
export const ALERT_RULES: readonly AlertRule[] = [
  {
    name: 'MeshAgentErrorRateHigh',
    expr: `sum by (agent) (rate(${M.events}{outcome=~"retried|dead-lettered"}[5m])) / ${byAgent(M.events, '5m')} > 0.05`,
    for: '5m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: over 5% of its events fail (retried or dead-lettered)',
  },
  {
    name: 'MeshAgentLatencyHigh',
    expr:
      `histogram_quantile(0.99, sum by (agent, le) (rate(${M.handlerDuration}_bucket[5m])))` + ` > 2 * histogram_quantile(0.99, sum by (agent, le) (rate(${M.handlerDuration}_bucket[1d] offset 5m)))`,
    for: '10m',
    severity: 'warning',
    summary: "Agent {{ $labels.agent }}: handler p99 over twice the day's",
  },
  {
    name: 'MeshAgentBreakersOpen',
    expr: `count by (agent) (${M.breakerState} == ${BreakerStateValue.open}) > 1`,
    for: '1m',
    severity: 'critical',
    summary: 'Agent {{ $labels.agent }}: more than one circuit breaker open',
  },
  {
    name: 'MeshAgentDeadLettersGrowing',
    expr: `sum by (agent) (increase(${M.dlqWrites}[1h])) > 100`,
    for: '0m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: over 100 dead letters in the last hour',
  },
  {
    name: 'MeshAgentRetriesHigh',
    expr: `${byAgent(M.retries, '5m')} * 60 > 50`,
    for: '5m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: over 50 retries a minute',
  },
  {
    name: 'MeshSagasStuck',
    expr: 'sum by (saga) (increase(mesh_sagas_stuck_total[15m])) > 0',
    for: '0m',
    severity: 'critical',
    summary: 'Saga type {{ $labels.saga }}: a saga stopped for an operator (mesh saga ls --state stuck)',
  },
  {
    name: 'MeshSagaPartitionsUnclaimed',
    expr: 'max by (instance) (mesh_saga_unclaimed_partitions) > 0',
    for: '30s',
    severity: 'critical',
    summary: 'Coordinator {{ $labels.instance }}: holds saga.replies partitions it cannot act on (the saga store is away); their sagas are frozen',
  },
  {
    name: 'MeshProcessRestarting',
    expr: 'max by (agent) (mesh_process_restarts) > 0 and max by (agent) (changes(mesh_process_restarts[15m])) > 0',
    for: '0m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: a replica was restarted after a crash in the last 15 minutes',
  },
];
