import type { AlertRule, FleetMeasure } from '@agentmesh/runtime/internal/fleet';
import { durationMs } from '../options';
import type { Fleet, FleetAgent } from './model';

/** A rule whose condition holds for one subject now. */
export interface AlertCondition {
  alert: string;
  severity: AlertRule['severity'];
  /** The agent, coordinator group or saga type it is about. */
  subject: string;
  summary: string;
  value: number;
  threshold: number;
}

/** An alert as the evaluator tracks it: pending until its condition held for the rule's `for`, then firing. */
export interface ActiveAlert extends AlertCondition {
  state: 'pending' | 'firing';
  /** When the condition was first seen holding. */
  since: number;
}

export interface AlertTransition {
  state: 'FIRING' | 'RESOLVED';
  alert: ActiveAlert;
  at: number;
}

/** A rule's `for` in ms; a duration that cannot be read fails at once (the tests of ALERT_RULES would catch it). */
export function forMs(rule: AlertRule): number {
  const ms = durationMs(rule.for);
  if (ms === undefined) throw new RangeError(`alert ${rule.name}: 'for' of '${rule.for}' is not a duration`);
  return ms;
}

/** The value of `measure` for one agent or coordinator; null where it does not apply or is not known. */
export function agentMeasure(agent: FleetAgent, measure: FleetMeasure): number | null {
  switch (measure) {
    case 'errorRate':
      return agent.errorRate;
    case 'p99OverNormal':
      return agent.p99Ms !== null && agent.normalP99Ms ? agent.p99Ms / agent.normalP99Ms : null;
    case 'openBreakers':
      return agent.openBreakers;
    case 'dlqSize':
      return agent.dlqSize;
    case 'retriesPerMinute':
      return agent.retriesPerMinute;
    case 'unclaimedPartitions':
      return agent.kind === 'coordinator' ? agent.unclaimedPartitions : null;
    case 'recentRestarts':
      return agent.recentRestarts;
    case 'lagSeconds':
      return agent.lag.seconds;
    case 'crashedInstances':
      return agent.instances.filter((i) => i.crashed).length;
    case 'stuckSagas':
      return null;
  }
}

/** The rule's one-line summary with the Prometheus label placeholders filled with the subject. */
function summaryFor(rule: AlertRule, subject: string): string {
  return rule.summary.replace(/\{\{\s*\$labels\.\w+\s*\}\}/g, subject);
}

/** Every rule's condition over the fleet, per subject: the same thresholds as the Prometheus rules, from the same definition. */
export function evaluateConditions(fleet: Fleet, rules: readonly AlertRule[]): AlertCondition[] {
  const holding: AlertCondition[] = [];
  for (const rule of rules) {
    const { measure, above, subject } = rule.fleet;
    const measured: Array<[string, number | null]> =
      subject === 'saga'
        ? Object.entries(fleet.stuckSagas)
        : fleet.agents.filter((a) => subject === 'agent' || a.kind === 'coordinator').map((a) => [a.name, agentMeasure(a, measure)] as [string, number | null]);
    for (const [name, value] of measured)
      if (value !== null && value > above) holding.push({ alert: rule.name, severity: rule.severity, subject: name, summary: summaryFor(rule, name), value, threshold: above });
  }
  return holding;
}

const alertKey = (a: { alert: string; subject: string }) => `${a.alert}\u0000${a.subject}`;

/**
 * Turns conditions evaluated again and again into alerts: pending while a condition has held for less than its rule's
 * `for`, firing after; a firing alert whose condition no longer holds resolves. Returns the transitions to announce.
 */
export class AlertTracker {
  private readonly active = new Map<string, ActiveAlert>();
  private readonly forMs: Map<string, number>;

  constructor(rules: readonly AlertRule[]) {
    this.forMs = new Map(rules.map((r) => [r.name, forMs(r)]));
  }

  update(conditions: readonly AlertCondition[], now: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const c of conditions) {
      const key = alertKey(c);
      seen.add(key);
      const before = this.active.get(key);
      const since = before?.since ?? now;
      const state = now - since >= (this.forMs.get(c.alert) ?? 0) ? 'firing' : 'pending';
      const alert: ActiveAlert = { ...c, state, since };
      this.active.set(key, alert);
      if (state === 'firing' && before?.state !== 'firing') transitions.push({ state: 'FIRING', alert, at: now });
    }
    for (const [key, alert] of this.active) {
      if (seen.has(key)) continue;
      this.active.delete(key);
      if (alert.state === 'firing') transitions.push({ state: 'RESOLVED', alert, at: now });
    }
    return transitions;
  }

  /** Takes up alerts that were firing before this tracker started (read back from mesh.alerts): they fire on, since when they began, without a new transition. */
  restore(firing: readonly ActiveAlert[]): void {
    for (const a of firing) if (!this.active.has(alertKey(a))) this.active.set(alertKey(a), { ...a, state: 'firing' });
  }

  alerts(): ActiveAlert[] {
    return [...this.active.values()].sort((a, b) => a.subject.localeCompare(b.subject) || a.alert.localeCompare(b.alert));
  }
}
