import type { AlertRule } from '@agentmesh/runtime/internal';
import type { Kafka } from 'kafkajs';
import type { createLogger } from '@agentmesh/runtime';
import type { AlertTransition } from './alerts';
import { FleetReader, formatFigure } from './fleet-reader';
import { NoMeshError } from './reader';

export interface AlertEvaluatorOptions {
  kafka: Kafka;
  /** Named in the lines that say the brokers cannot be read. */
  brokers: readonly string[];
  registryUrl: string;
  /** The history each evaluation reads (rates, trend, anomalies). */
  windowMs: number;
  /** How often the rules are evaluated. */
  everyMs: number;
  /** Alerts and the evaluator's own news, one JSON line each. */
  logger: ReturnType<typeof createLogger>;
  rules?: readonly AlertRule[];
}

/** The fields of an alert's log line. */
export function transitionFields(t: AlertTransition): Record<string, unknown> {
  const { alert, subject, severity, summary, value, threshold, since } = t.alert;
  return { alert, state: t.state, subject, severity, summary, value: Number.isFinite(value) ? value : null, threshold, since: new Date(since).toISOString() };
}

/**
 * The mesh's own alert evaluator: ALERT_RULES evaluated over the fleet model every `everyMs`, for as long as it runs,
 * each transition a log line and a record on mesh.alerts. It runs as `mesh alerts watch` (a Deployment in infra/), and
 * inside `mesh dev`. Started again, it takes up what mesh.alerts says is firing instead of announcing it twice.
 */
export class AlertEvaluator {
  private readonly reader: FleetReader;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private evaluations = 0;
  /** What the last failed evaluation said, so an outage is told once, not at every try. */
  private failing: string | undefined;

  constructor(private readonly options: AlertEvaluatorOptions) {
    this.reader = new FleetReader({
      kafka: options.kafka,
      registryUrl: options.registryUrl,
      windowMs: options.windowMs,
      publishAlerts: true,
      logTransitions: false,
      log: (line) => options.logger.warn(line),
      ...(options.rules ? { rules: options.rules } : {}),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.options.logger.info({ brokers: this.options.brokers, everyMs: this.options.everyMs, windowMs: this.options.windowMs }, 'alert evaluator started');
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.reader.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.evaluate().finally(() => this.schedule(this.options.everyMs));
    }, delayMs);
  }

  private async evaluate(): Promise<void> {
    const { logger, brokers } = this.options;
    try {
      const view = await this.reader.refresh();
      if (this.failing !== undefined) logger.info({ brokers }, 'the mesh can be read again');
      this.failing = undefined;
      for (const t of view.transitions)
        logger[t.state === 'RESOLVED' ? 'info' : t.alert.severity === 'critical' ? 'error' : 'warn'](
          transitionFields(t),
          `alert ${t.state.toLowerCase()}: ${t.alert.alert} ${t.alert.subject}: ${t.alert.summary} (${formatFigure(t.alert.value)} > ${t.alert.threshold})`,
        );
      this.evaluations += 1;
      const firing = view.alerts.filter((a) => a.state === 'firing').length;
      const fields = { evaluation: this.evaluations, agents: view.fleet.agents.length, firing, pending: view.alerts.length - firing };
      // The first evaluation says what it took up; later ones only at debug level.
      if (this.evaluations === 1) logger.info(fields, 'alerts evaluated');
      else logger.debug(fields, 'alerts evaluated');
    } catch (error) {
      const message =
        error instanceof NoMeshError ? `no mesh on ${brokers.join(',')}: ${error.message}` : `cannot read the mesh on ${brokers.join(',')}: ${error instanceof Error ? error.message : String(error)}`;
      if (message !== this.failing) logger.warn({ brokers }, `${message} (trying again every ${this.options.everyMs / 1000} s)`);
      else logger.debug({ brokers }, 'the mesh still cannot be read');
      this.failing = message;
    }
  }
}
