import type { ActiveAlert, AlertTransition, FleetAgent, FleetView } from '../fleet';
import type { Connection } from './connection';
import type { AgentSeries } from './history';

/** A row of the agents table. */
export interface AgentRow {
  name: string;
  kind: FleetAgent['kind'];
  alive: number;
  instances: number;
  versions: string[];
  lagRecords: number;
  lagSeconds: number | null;
  processedPerSecond: number;
  errorRate: number;
  retriesPerMinute: number;
  p99Ms: number | null;
  openBreakers: number;
  dlqSize: number;
  trend: FleetAgent['health']['trend'];
  /** Firing alerts about it. */
  firing: number;
  anomalies: number;
  /** Instances whose heartbeat is of a newer contract than this console knows (shown, with the fields it knows). */
  newerContract: number;
  /** ok, warn or bad: the colour of its row. */
  status: 'ok' | 'warn' | 'bad';
}

export interface FleetPage {
  connection: Connection;
  /** When the fleet shown was read; null before the first good read. */
  at: number | null;
  windowMs: number | null;
  agents: AgentRow[];
  alerts: { firing: number; pending: number };
  stuckSagas: Record<string, number>;
  newerContractHeartbeats: number;
  undecodableHeartbeats: number;
}

/** The colour of an agent's row: bad when nothing of it is alive or an alert about it fires; warn on any sign of trouble. */
export function agentStatus(agent: FleetAgent, firing: number): AgentRow['status'] {
  if (firing > 0 || agent.alive === 0 || agent.health.trend === 'unhealthy') return 'bad';
  if (agent.openBreakers > 0 || agent.dlqSize > 0 || agent.errorRate > 0.05 || agent.health.trend === 'degrading' || agent.anomalies.length > 0) return 'warn';
  return 'ok';
}

function firingAbout(alerts: readonly ActiveAlert[], subject: string): number {
  return alerts.filter((a) => a.state === 'firing' && a.subject === subject).length;
}

export function agentRow(agent: FleetAgent, alerts: readonly ActiveAlert[]): AgentRow {
  const firing = firingAbout(alerts, agent.name);
  return {
    name: agent.name,
    kind: agent.kind,
    alive: agent.alive,
    instances: agent.instances.length,
    versions: agent.versions,
    lagRecords: agent.lag.records,
    lagSeconds: agent.lag.seconds,
    processedPerSecond: agent.rates.processed,
    errorRate: agent.errorRate,
    retriesPerMinute: agent.retriesPerMinute,
    p99Ms: agent.p99Ms,
    openBreakers: agent.openBreakers,
    dlqSize: agent.dlqSize,
    trend: agent.health.trend,
    firing,
    anomalies: agent.anomalies.length,
    newerContract: agent.instances.filter((i) => i.unknownFields.length > 0).length,
    status: agentStatus(agent, firing),
  };
}

export function fleetPage(view: FleetView | undefined, connection: Connection): FleetPage {
  if (!view) return { connection, at: null, windowMs: null, agents: [], alerts: { firing: 0, pending: 0 }, stuckSagas: {}, newerContractHeartbeats: 0, undecodableHeartbeats: 0 };
  return {
    connection,
    at: view.fleet.at,
    windowMs: view.fleet.windowMs,
    agents: view.fleet.agents.map((a) => agentRow(a, view.alerts)),
    alerts: { firing: view.alerts.filter((a) => a.state === 'firing').length, pending: view.alerts.filter((a) => a.state === 'pending').length },
    stuckSagas: view.fleet.stuckSagas,
    newerContractHeartbeats: view.fleet.newerContractHeartbeats,
    undecodableHeartbeats: view.notes.undecodable,
  };
}

export interface AgentPage {
  connection: Connection;
  at: number;
  agent: FleetAgent;
  row: AgentRow;
  alerts: ActiveAlert[];
  series: AgentSeries;
}

export function agentPage(view: FleetView, name: string, series: AgentSeries, connection: Connection): AgentPage | undefined {
  const agent = view.fleet.agents.find((a) => a.name === name);
  if (!agent) return undefined;
  return { connection, at: view.fleet.at, agent, row: agentRow(agent, view.alerts), alerts: view.alerts.filter((a) => a.subject === name), series };
}

export interface AlertsPage {
  connection: Connection;
  active: ActiveAlert[];
  /** Newest first. */
  transitions: AlertTransition[];
}

export function alertsPage(view: FleetView | undefined, transitions: readonly AlertTransition[], connection: Connection): AlertsPage {
  const order = (a: ActiveAlert) => (a.state === 'firing' ? 0 : 1);
  return {
    connection,
    active: [...(view?.alerts ?? [])].sort((a, b) => order(a) - order(b) || a.since - b.since),
    transitions: [...transitions].reverse(),
  };
}
