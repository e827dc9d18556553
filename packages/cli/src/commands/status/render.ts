import type { ActiveAlert, FleetAgent, FleetView } from '../../fleet';
import { formatFigure } from '../../fleet';
import { renderTable } from '../dlq/summary';

/** Names longer than this are cut (with a trailing ~) so the table stays within 120 columns. */
const NAME_WIDTH = 22;

export function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}~` : text;
}

/** A rate for a table cell: blank-free, short. */
export function rate(n: number): string {
  if (n === 0) return '0';
  if (n >= 100) return String(Math.round(n));
  return n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function seconds(s: number | null): string {
  if (s === null) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function ms(v: number | null): string {
  return v === null ? '-' : v >= 100 ? String(Math.round(v)) : v.toFixed(1);
}

function percent(share: number): string {
  return share === 0 ? '0' : `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}`;
}

/** The firing alerts' names (without the Mesh prefix), then how many are pending, cut to fit. */
function alertCell(alerts: readonly ActiveAlert[]): string {
  if (alerts.length === 0) return '-';
  const firing = alerts.filter((a) => a.state === 'firing').map((a) => a.alert.replace(/^Mesh(Agent)?/, ''));
  const pending = alerts.length - firing.length;
  return cut([...firing, ...(pending > 0 ? [`+${pending} pending`] : [])].join(','), 22);
}

/** One row per agent and coordinator. */
export function statusRow(agent: FleetAgent, alerts: readonly ActiveAlert[]): string[] {
  const name = agent.kind === 'coordinator' ? `${cut(agent.name, NAME_WIDTH - 2)} *` : cut(agent.name, NAME_WIDTH);
  return [
    name,
    `${agent.alive}/${agent.instances.length}`,
    String(agent.lag.records),
    seconds(agent.lag.seconds),
    rate(agent.rates.processed),
    percent(agent.errorRate),
    rate(agent.retriesPerMinute),
    ms(agent.p99Ms),
    String(agent.openBreakers),
    String(agent.dlqSize),
    agent.health.trend,
    alertCell(alerts.filter((a) => a.subject === agent.name)),
  ];
}

/** Short headers keep the table within 120 columns; the README explains each. */
const HEADER = ['AGENT', 'UP', 'LAG', 'LAG AGE', 'OK/S', 'ERR%', 'RTY/M', 'P99MS', 'BRK', 'DLQ', 'TREND', 'ALERTS'];

/** The `mesh status` text: the table, then each alert on a line, then notes about what could not be read. */
export function renderStatus(view: FleetView, windowText: string): string {
  const { fleet, alerts, notes } = view;
  let out = renderTable(
    HEADER,
    fleet.agents.map((a) => statusRow(a, alerts)),
  );
  if (fleet.agents.some((a) => a.kind === 'coordinator')) out += '* a saga coordinator (its group)\n';
  const sagaAlerts = alerts.filter((a) => !fleet.agents.some((x) => x.name === a.subject));
  if (alerts.length > 0) {
    out += '\n';
    for (const a of [...alerts.filter((x) => x.state === 'firing'), ...alerts.filter((x) => x.state === 'pending')])
      out += `${a.state.toUpperCase().padEnd(7)}  ${a.severity.padEnd(8)}  ${a.alert}  ${a.summary} (${formatFigure(a.value)} > ${a.threshold})\n`;
  } else out += '\nno alerts\n';
  if (sagaAlerts.length === 0 && Object.keys(fleet.stuckSagas).length > 0)
    out += `stuck sagas: ${Object.entries(fleet.stuckSagas)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}\n`;
  const footnotes: string[] = [];
  if (fleet.newerContractHeartbeats > 0) footnotes.push(`${fleet.newerContractHeartbeats} heartbeat(s) of a newer contract: shown with the fields this mesh knows`);
  if (notes.undecodable > 0) footnotes.push(`${notes.undecodable} heartbeat(s) could not be read: ${notes.undecodableReason ?? 'unknown reason'}`);
  for (const f of footnotes) out += `note: ${f}\n`;
  return out + `(heartbeats of the last ${windowText}; ${new Date(fleet.at).toISOString()})\n`;
}

/** What `--json` prints: the whole model, the alerts, and what could not be read. */
export function statusJson(view: FleetView, brokers: readonly string[]): unknown {
  return {
    at: view.fleet.at,
    brokers,
    windowMs: view.fleet.windowMs,
    agents: view.fleet.agents,
    alerts: view.alerts,
    stuckSagas: view.fleet.stuckSagas,
    newerContractHeartbeats: view.fleet.newerContractHeartbeats,
    undecodable: view.notes.undecodable,
  };
}
