import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from '@agentmesh/runtime/internal';

/** Why a reply changed nothing, or that it was applied. */
export type ReplyDisposition = 'applied' | 'late' | 'duplicate' | 'unknown-step' | 'not-waiting' | 'unknown-saga' | 'invalid' | 'other-deployment';

/** What became of a signal: looked at by the saga's owner (applied, late, not-waiting), or not recorded for it. */
export type SignalDisposition = 'applied' | 'late' | 'not-waiting' | 'duplicate' | 'not-active' | 'too-many' | 'unknown-saga' | 'invalid';

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];

/** The coordinator's Prometheus metrics: saga outcomes and durations, commands, replies, ownership. */
export class CoordinatorMetrics {
  readonly registry: Registry;
  private readonly started: Counter<'saga'>;
  private readonly finished: Counter<'saga' | 'outcome'>;
  private readonly stuckTotal: Counter<'saga' | 'status'>;
  private readonly duration: Histogram<'saga' | 'outcome'>;
  private readonly commands: Counter<'saga' | 'kind'>;
  private readonly timeouts: Counter<'saga' | 'kind'>;
  private readonly replies: Counter<'disposition'>;
  private readonly signals: Counter<'disposition'>;
  private readonly owned: Gauge;
  private readonly unclaimed: Gauge;

  constructor(options: { registry?: Registry } = {}) {
    this.registry = options.registry ?? createMetricsRegistry();
    const registers = [this.registry];
    this.started = new Counter({ name: 'mesh_sagas_started_total', help: 'Sagas started, by saga type', labelNames: ['saga'], registers });
    this.finished = new Counter({ name: 'mesh_sagas_finished_total', help: 'Sagas that ended, by type and outcome (completed or compensated)', labelNames: ['saga', 'outcome'], registers });
    this.stuckTotal = new Counter({ name: 'mesh_sagas_stuck_total', help: 'Sagas that stopped for an operator, by type and status', labelNames: ['saga', 'status'], registers });
    this.duration = new Histogram({
      name: 'mesh_saga_duration_seconds',
      help: 'From trigger to the end of a saga, by type and outcome',
      labelNames: ['saga', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.commands = new Counter({ name: 'mesh_saga_commands_total', help: 'Commands sent to participants, by saga type and kind (execute or compensate)', labelNames: ['saga', 'kind'], registers });
    this.timeouts = new Counter({ name: 'mesh_saga_command_timeouts_total', help: 'Commands whose reply did not come by their deadline', labelNames: ['saga', 'kind'], registers });
    this.replies = new Counter({ name: 'mesh_saga_replies_total', help: 'Replies consumed, by what became of them', labelNames: ['disposition'], registers });
    this.signals = new Counter({ name: 'mesh_saga_signals_total', help: 'Signals to wait steps (saga.signals), by what became of them', labelNames: ['disposition'], registers });
    this.owned = new Gauge({ name: 'mesh_saga_owned_partitions', help: 'Partitions of saga.replies this instance drives', registers });
    this.unclaimed = new Gauge({
      name: 'mesh_saga_unclaimed_partitions',
      help: 'Partitions of saga.replies assigned to this instance that it cannot act on: their claims in the saga store keep failing',
      registers,
    });
  }

  sagaStarted(saga: string): void {
    this.started.inc({ saga });
  }
  sagaFinished(saga: string, outcome: 'completed' | 'compensated', seconds: number): void {
    this.finished.inc({ saga, outcome });
    this.duration.observe({ saga, outcome }, seconds);
  }
  sagaStuck(saga: string, status: string): void {
    this.stuckTotal.inc({ saga, status });
  }
  commandSent(saga: string, kind: string): void {
    this.commands.inc({ saga, kind });
  }
  commandTimedOut(saga: string, kind: string): void {
    this.timeouts.inc({ saga, kind });
  }
  reply(disposition: ReplyDisposition): void {
    this.replies.inc({ disposition });
  }
  signal(disposition: SignalDisposition): void {
    this.signals.inc({ disposition });
  }
  ownedPartitions(count: number): void {
    this.owned.set(count);
  }
  unclaimedPartitions(count: number): void {
    this.unclaimed.set(count);
  }
}
