import { BreakerStateValue, WorkerMetricName } from './metric-names';

/** What the mesh's own evaluator measures over its fleet model (heartbeats, offsets, DLQ sizes, saga.stuck), per subject. */
export type FleetMeasure =
  /** Failed (retried or dead-lettered) over all outcomes, over the window. */
  | 'errorRate'
  /** The newest handler p99 over the agent's usual p99 (the median of its window). */
  | 'p99OverNormal'
  /** Breakers open on the agent's instance with the most. */
  | 'openBreakers'
  /** Records in the agent's dead-letter topic. */
  | 'dlqSize'
  /** Retries a minute, over the window. */
  | 'retriesPerMinute'
  /** saga.stuck records of the saga type in the window. */
  | 'stuckSagas'
  /** saga.replies partitions the coordinator holds but cannot act on. */
  | 'unclaimedPartitions'
  /** Replica restarts after a crash, in the window. */
  | 'recentRestarts'
  /** Age of the oldest record the agent's group has not consumed, in seconds. */
  | 'lagSeconds'
  /** Instances whose heartbeats stopped without a clean stop. */
  | 'crashedInstances';

/** The mesh's own evaluation of a rule: fires while the measure is above the threshold. */
export interface FleetCondition {
  measure: FleetMeasure;
  above: number;
  /** What the measure is per: agents (also coordinators), coordinators only, or saga types. */
  subject: 'agent' | 'coordinator' | 'saga';
}

/** One alert of the mesh: a PromQL condition over the metrics the mesh exports, the same condition over the fleet model, and what it means. */
export interface AlertRule {
  /** Prometheus alert name. */
  name: string;
  /** PromQL; the alert fires while it returns series (for at least `for`). Absent: no metric carries it, so only the mesh evaluates it. */
  expr?: string;
  /** The in-mesh evaluation (`mesh status`, mesh.alerts): the same threshold over the fleet model. */
  fleet: FleetCondition;
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
    fleet: { measure: 'errorRate', above: 0.05, subject: 'agent' },
    expr: `sum by (agent) (rate(${M.events}{outcome=~"retried|dead-lettered"}[5m])) / ${byAgent(M.events, '5m')} > 0.05`,
    for: '5m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: over 5% of its events fail (retried or dead-lettered)',
  },
  {
    name: 'MeshAgentLatencyHigh',
    fleet: { measure: 'p99OverNormal', above: 2, subject: 'agent' },
    expr:
      `histogram_quantile(0.99, sum by (agent, le) (rate(${M.handlerDuration}_bucket[5m])))` + ` > 2 * histogram_quantile(0.99, sum by (agent, le) (rate(${M.handlerDuration}_bucket[1d] offset 5m)))`,
    for: '10m',
    severity: 'warning',
    summary: "Agent {{ $labels.agent }}: handler p99 over twice the day's",
  },
  {
    name: 'MeshAgentBreakersOpen',
    fleet: { measure: 'openBreakers', above: 1, subject: 'agent' },
    expr: `count by (agent) (${M.breakerState} == ${BreakerStateValue.open}) > 1`,
    for: '1m',
    severity: 'critical',
    summary: 'Agent {{ $labels.agent }}: more than one circuit breaker open',
  },
  {
    name: 'MeshAgentDeadLettersGrowing',
    fleet: { measure: 'dlqSize', above: 100, subject: 'agent' },
    expr: `sum by (agent) (increase(${M.dlqWrites}[1h])) > 100`,
    for: '0m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: over 100 dead letters in the last hour',
  },
  {
    name: 'MeshAgentRetriesHigh',
    fleet: { measure: 'retriesPerMinute', above: 50, subject: 'agent' },
    expr: `${byAgent(M.retries, '5m')} * 60 > 50`,
    for: '5m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: over 50 retries a minute',
  },
  {
    name: 'MeshSagasStuck',
    fleet: { measure: 'stuckSagas', above: 0, subject: 'saga' },
    expr: 'sum by (saga) (increase(mesh_sagas_stuck_total[15m])) > 0',
    for: '0m',
    severity: 'critical',
    summary: 'Saga type {{ $labels.saga }}: a saga stopped for an operator (mesh saga ls --state stuck)',
  },
  {
    name: 'MeshSagaPartitionsUnclaimed',
    fleet: { measure: 'unclaimedPartitions', above: 0, subject: 'coordinator' },
    expr: 'max by (instance) (mesh_saga_unclaimed_partitions) > 0',
    for: '30s',
    severity: 'critical',
    summary: 'Coordinator {{ $labels.instance }}: holds saga.replies partitions it cannot act on (the saga store is away); their sagas are frozen',
  },
  {
    name: 'MeshProcessRestarting',
    fleet: { measure: 'recentRestarts', above: 0, subject: 'agent' },
    expr: 'max by (agent) (mesh_process_restarts) > 0 and max by (agent) (changes(mesh_process_restarts[15m])) > 0',
    for: '0m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: a replica was restarted after a crash in the last 15 minutes',
  },
  {
    name: 'MeshAgentLagHigh',
    fleet: { measure: 'lagSeconds', above: 60, subject: 'agent' },
    for: '2m',
    severity: 'warning',
    summary: 'Agent {{ $labels.agent }}: its oldest unconsumed record is over a minute old',
  },
  {
    name: 'MeshConsumerCrashed',
    fleet: { measure: 'crashedInstances', above: 0, subject: 'agent' },
    for: '0m',
    severity: 'critical',
    summary: 'Agent {{ $labels.agent }}: an instance stopped sending heartbeats without stopping cleanly',
  },
];

/** The rules Prometheus evaluates: those with a PromQL condition. */
export const PROMETHEUS_ALERT_RULES: ReadonlyArray<AlertRule & { expr: string }> = ALERT_RULES.filter((r): r is AlertRule & { expr: string } => r.expr !== undefined);
