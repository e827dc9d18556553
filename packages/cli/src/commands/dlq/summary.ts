import type { DeadLetter } from './dead-letter';
import { FAILURE_KINDS } from './filters';
import { DEAD_LETTER_STATES, type StateCounts } from './states';

/** Dead letters of one agent, counted by `mesh-error-kind`. */
export interface AgentDlqSummary {
  agent: string;
  topic: string;
  total: number;
  byKind: Map<string, number>;
  /** Kafka timestamps (epoch ms) of the oldest and newest dead letter; undefined when empty. */
  oldestAt?: number;
  newestAt?: number;
  /** Dead letters by state (open, replayed, resolved); undefined when the agent's store could not be read (see stateNote). */
  byState?: StateCounts;
  /** Why the states are not known. */
  stateNote?: string;
}

export function emptySummary(agent: string, topic: string): AgentDlqSummary {
  return { agent, topic, total: 0, byKind: new Map() };
}

/** Adds one dead letter to its agent's counts (mutates: `ls` streams through whole topics). */
export function countDeadLetter(summary: AgentDlqSummary, letter: DeadLetter): void {
  summary.total += 1;
  summary.byKind.set(letter.kind, (summary.byKind.get(letter.kind) ?? 0) + 1);
  const at = letter.deadLetteredAt;
  if (Number.isFinite(at)) {
    if (summary.oldestAt === undefined || at < summary.oldestAt) summary.oldestAt = at;
    if (summary.newestAt === undefined || at > summary.newestAt) summary.newestAt = at;
  }
}

/** Plain aligned columns, no borders: readable in a terminal and easy to grep or `awk`. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * The `mesh dlq ls` table: one row per agent, a column per state (`?` when the
 * agent's store could not be read) and per error kind (the four the worker
 * writes, plus any other kind found), a TOTAL row when there is more than one agent.
 */
export function renderSummaryTable(summaries: readonly AgentDlqSummary[]): string {
  const extraKinds = [...new Set(summaries.flatMap((s) => [...s.byKind.keys()]))].filter((k) => !(FAILURE_KINDS as readonly string[]).includes(k)).sort();
  const kinds = [...FAILURE_KINDS, ...extraKinds];
  const header = ['AGENT', 'DEAD LETTERS', ...DEAD_LETTER_STATES.map((s) => s.toUpperCase()), ...kinds.map((k) => k.toUpperCase()), 'NEWEST'];
  const sorted = [...summaries].sort((a, b) => a.agent.localeCompare(b.agent));
  const states = (s: AgentDlqSummary) => DEAD_LETTER_STATES.map((state) => (s.byState === undefined ? '?' : String(s.byState[state])));
  const rows = sorted.map((s) => [s.agent, String(s.total), ...states(s), ...kinds.map((k) => String(s.byKind.get(k) ?? 0)), s.newestAt === undefined ? '-' : new Date(s.newestAt).toISOString()]);
  if (sorted.length > 1) {
    const sum = (pick: (s: AgentDlqSummary) => number) => String(sorted.reduce((n, s) => n + pick(s), 0));
    const newest = Math.max(...sorted.map((s) => s.newestAt ?? -Infinity));
    const stateTotals = DEAD_LETTER_STATES.map((state) => (sorted.every((s) => s.byState !== undefined) ? sum((s) => s.byState![state]) : '?'));
    rows.push(['TOTAL', sum((s) => s.total), ...stateTotals, ...kinds.map((k) => sum((s) => s.byKind.get(k) ?? 0)), Number.isFinite(newest) ? new Date(newest).toISOString() : '-']);
  }
  return renderTable(header, rows);
}
