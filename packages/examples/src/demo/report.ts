import { successRateWithoutRetries, type FailureRates } from '../invoice/failure-injection';
import type { LedgerSnapshot } from './ledger';

export interface AgentFailureRates {
  agent: string;
  rates: FailureRates;
}

export interface DeadLetterCount {
  agent: string;
  /** mesh-error-kind. */
  kind: string;
  count: number;
}

/** The demo's result: what its closing table shows. */
export interface DemoReport {
  published: number;
  posted: number;
  /** Posted through po-matching's fallback. */
  degraded: number;
  deadLettered: number;
  deadLetters: DeadLetterCount[];
  retriesByAgent: Array<{ agent: string; retries: number }>;
  retries: number;
  /** Records delivered again with an event id already seen: idempotent consumers drop them. */
  redeliveries: number;
  /** Invoices posted more than once under different event ids: an effect twice. Should be 0. */
  doublePostings: number;
  /** Neither posted nor dead-lettered when the wait ended. */
  missing: string[];
  /** posted / published, degraded postings included. */
  successRate: number;
  /** Share of invoices the same failure rates let through a chain with no retries and no fallback. */
  successRateWithoutRetries: number;
  failureRates: AgentFailureRates[];
  elapsedMs: number;
}

/** Turns the ledger's counts into the report; agents are listed in pipeline order. */
export function buildReport(snapshot: LedgerSnapshot, failureRates: readonly AgentFailureRates[], elapsedMs: number): DemoReport {
  const order = failureRates.map((f) => f.agent);
  const rank = (agent: string) => {
    const i = order.indexOf(agent);
    return i < 0 ? order.length : i;
  };
  const counts = new Map<string, DeadLetterCount>();
  for (const { agent, kind } of snapshot.deadLetters) {
    const id = `${agent}\u0000${kind}`;
    const entry = counts.get(id) ?? { agent, kind, count: 0 };
    entry.count++;
    counts.set(id, entry);
  }
  const deadLetters = [...counts.values()].sort((a, b) => rank(a.agent) - rank(b.agent) || a.kind.localeCompare(b.kind));
  const agents = [...new Set([...order, ...Object.keys(snapshot.retriesByAgent)])];
  const retriesByAgent = agents.map((agent) => ({ agent, retries: snapshot.retriesByAgent[agent] ?? 0 }));
  return {
    published: snapshot.published,
    posted: snapshot.posted,
    degraded: snapshot.degraded,
    deadLettered: snapshot.deadLetters.length,
    deadLetters,
    retriesByAgent,
    retries: retriesByAgent.reduce((sum, r) => sum + r.retries, 0),
    redeliveries: snapshot.redeliveries,
    doublePostings: snapshot.doublePostings,
    missing: snapshot.unsettled,
    successRate: snapshot.published === 0 ? 1 : snapshot.posted / snapshot.published,
    successRateWithoutRetries: successRateWithoutRetries(failureRates.map((f) => f.rates)),
    failureRates: failureRates.map((f) => ({ agent: f.agent, rates: { ...f.rates } })),
    elapsedMs,
  };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function ratesText(r: FailureRates): string {
  return `transient ${percent(r.transient)}, permanent ${percent(r.permanent)}, slow ${percent(r.slow)}`;
}

/** A two-column table; the label column is as wide as its longest label. */
function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => (value === '' ? label : `  ${label.padEnd(width)}  ${value}`));
}

/** The closing table of the demo, as printed. */
export function renderReport(report: DemoReport): string {
  const rows: Array<readonly [string, string]> = [];
  rows.push(['published', String(report.published)]);
  rows.push(['posted', `${report.posted}  (of which degraded: ${report.degraded})`]);
  rows.push(['in DLQ', String(report.deadLettered)]);
  for (const d of report.deadLetters) rows.push([`  ${d.agent}.dlq, ${d.kind}`, String(d.count)]);
  rows.push(['retries', String(report.retries)]);
  for (const r of report.retriesByAgent) rows.push([`  ${r.agent}`, String(r.retries)]);
  rows.push(['duplicates seen and suppressed', `${report.redeliveries}  (same event id delivered again, dropped by id)`]);
  rows.push(['invoices posted twice', String(report.doublePostings)]);
  if (report.missing.length > 0) rows.push(['missing (neither posted nor in a DLQ)', String(report.missing.length)]);
  rows.push(['end-to-end success, with the mesh', percent(report.successRate)]);
  rows.push(['end-to-end success, without retries', `${percent(report.successRateWithoutRetries)}  (same failure rates, computed: product over agents of 1 - failure rate)`]);

  const lines = ['', `Invoice pipeline: ${report.published} invoices in ${(report.elapsedMs / 1000).toFixed(1)} s`, ...table(rows), '', 'Injected failure rates per handler call:'];
  lines.push(...table(report.failureRates.map((f) => [f.agent, ratesText(f.rates)] as const)));
  if (report.missing.length > 0) {
    const shown = report.missing.slice(0, 10);
    lines.push('', `Not settled within the wait: ${shown.join(', ')}${report.missing.length > shown.length ? `, and ${report.missing.length - shown.length} more` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
