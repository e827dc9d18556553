import type { SagaState, TimelineEntry } from '@agentmesh/coordinator';

/**
 * A saga's state as text, the way `mesh saga show` prints it: the header,
 * a line per step, and the timeline with times since the start. Pure, so the
 * demo's output is unit-tested; it reads only SagaState.
 */

function duration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** One timeline entry's "what": step, kind and attempt, then the detail. */
export function describeEntry(entry: TimelineEntry): string {
  const parts: string[] = [];
  if (entry.step !== undefined) parts.push(entry.step);
  if (entry.kind !== undefined) parts.push(entry.attempt !== undefined ? `${entry.kind} #${entry.attempt}` : entry.kind);
  else if (entry.attempt !== undefined) parts.push(`#${entry.attempt}`);
  const what = parts.join(' ');
  if (entry.detail === undefined) return what;
  return what === '' ? entry.detail : `${what}: ${entry.detail}`;
}

export interface FormatSagaOptions {
  /** Cut error texts and details to this many characters. Default 160. */
  maxDetail?: number;
}

function cut(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 3)}...`;
}

export function formatSagaState(state: SagaState, options: FormatSagaOptions = {}): string {
  const maxDetail = options.maxDetail ?? 160;
  const lines: string[] = [];
  lines.push(`saga ${state.id}`);
  const header: string[][] = [
    ['type', state.type],
    ['status', state.status],
    ['started', new Date(state.startedAt).toISOString()],
  ];
  if (state.finishedAt !== undefined) header.push(['finished', `${new Date(state.finishedAt).toISOString()} (${duration(state.finishedAt - state.startedAt)})`]);
  else header.push(['updated', new Date(state.updatedAt).toISOString()]);
  header.push(['trigger', `${state.trigger.topic}[${state.trigger.partition}]@${state.trigger.offset}`]);
  header.push(['correlation', state.correlationId]);
  if (state.failedStep !== undefined) header.push(['failed step', state.steps[state.failedStep]?.name ?? `#${state.failedStep}`]);
  if (state.inFlight)
    header.push([
      'waiting on',
      `${state.steps[state.inFlight.step]?.name ?? `#${state.inFlight.step}`} ${state.inFlight.kind} #${state.inFlight.attempt}, deadline ${new Date(state.inFlight.deadlineAt).toISOString()}`,
    ]);
  lines.push(...pad(header).map((l) => `  ${l}`));

  lines.push('', 'steps');
  const steps: string[][] = [['#', 'step', 'status', 'attempts', 'compensations', 'last error']];
  state.steps.forEach((s, i) => steps.push([String(i + 1), s.name, s.status, String(s.attempts), String(s.compensationAttempts), s.lastError ? cut(s.lastError, maxDetail) : '']));
  lines.push(...pad(steps).map((l) => `  ${l}`));

  lines.push('', 'timeline');
  const rows: string[][] = state.timeline.map((e) => [`+${duration(Math.max(0, e.at - state.startedAt))}`, e.type, cut(describeEntry(e), maxDetail)]);
  lines.push(...pad(rows.length > 0 ? rows : [['(empty)']]).map((l) => `  ${l}`));
  if (state.timelineDropped) lines.push(`  (${state.timelineDropped} older entries dropped)`);
  return `${lines.join('\n')}\n`;
}
