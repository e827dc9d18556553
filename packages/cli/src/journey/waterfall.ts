import type { Hop, HopError, HopOutcome, Journey } from './journey';

/** `350ms`, `1.42s`, `12.5s`, `2m03s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1_000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

function errorText(error: HopError): string {
  const what = [error.kind, error.errorClass].filter(Boolean).join(' ');
  return [what, error.message].filter(Boolean).join(': ');
}

/** One line saying what a record means: published, ok, a retry with its delay and error, a dead letter with its kind, ... */
export function outcomeText(hop: Pick<Hop, 'outcome' | 'causationId'>): string {
  const o: HopOutcome = hop.outcome;
  switch (o.kind) {
    case 'ok':
      return hop.causationId ? 'ok' : 'published';
    case 'retry':
      return `retry ${o.tier ?? '?'}${o.delayMs !== null ? ` in ${formatDuration(o.delayMs)}` : ''}: ${errorText(o.error) || 'failed'}`;
    case 'parked':
      return 'parked behind an earlier event of its key';
    case 'replayed':
      return `replayed from the DLQ (${o.replay})`;
    case 'dead-lettered':
      return `dead-lettered${o.attempts !== null ? ` after ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}` : ''}: ${errorText(o.error) || 'failed'}`;
    case 'degraded':
      return `degraded${o.reason ? `: ${o.reason}` : ''}`;
    case 'saga-command':
      return `saga ${o.sagaType ?? '?'} command ${o.step ?? '?'} ${o.command ?? ''}`.trimEnd();
    case 'saga-reply': {
      const failure = [o.errorKind, o.error].filter(Boolean).join(': ');
      return `saga reply ${o.step ?? '?'}${o.outcome ? `: ${o.outcome}` : ''}${failure ? ` (${failure})` : ''}`;
    }
    case 'saga-stuck':
      return 'saga stuck: waits for an operator';
  }
}

/** A bar of `width` cells over the journey: where the record starts, and how long until the last record it caused. */
export function timeBar(startMs: number, durationMs: number, totalMs: number, width: number): string {
  const span = Math.max(totalMs, 1);
  const last = width - 1;
  const from = Math.min(last, Math.floor((startMs / span) * last));
  const to = Math.max(from, Math.min(last, Math.floor(((startMs + durationMs) / span) * last)));
  return '·'.repeat(from) + '█'.repeat(to - from + 1) + '·'.repeat(last - to);
}

const MAX_OUTCOME_CHARS = 100;
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export interface WaterfallOptions {
  /** Cells of the time bars. */
  barWidth?: number;
  /** A link to the trace in Jaeger, printed under the heading when given. */
  jaegerLink?: string;
}

/** The journey as a terminal waterfall: a heading, then one row per record, indented under its cause, with a time bar. */
export function renderWaterfall(journey: Journey, options: WaterfallOptions = {}): string {
  const width = options.barWidth ?? 32;
  const c = journey.counts;
  const notes = [
    c.retries > 0 ? `${c.retries} ${c.retries === 1 ? 'retry' : 'retries'}` : '',
    c.deadLetters > 0 ? `${c.deadLetters} dead-lettered` : '',
    c.degraded > 0 ? `${c.degraded} degraded` : '',
    c.sagaCommands > 0 ? `${c.sagaCommands} saga command${c.sagaCommands === 1 ? '' : 's'}` : '',
    c.sagaReplies > 0 ? `${c.sagaReplies} ${c.sagaReplies === 1 ? 'reply' : 'replies'}` : '',
  ].filter(Boolean);
  const lines = [
    `journey ${journey.ids.join(', ')}${journey.traceIds.length > 0 ? `  trace ${journey.traceIds.join(', ')}` : ''}`,
    `${c.records} record${c.records === 1 ? '' : 's'} over ${formatDuration(journey.durationMs)} from ${new Date(journey.startedAt).toISOString()}${notes.length > 0 ? `: ${notes.join(', ')}` : ''}`,
  ];
  if (options.jaegerLink) lines.push(`jaeger: ${options.jaegerLink}`);
  lines.push('');

  const rows = journey.hops.map((hop) => [
    `+${formatDuration(hop.startMs)}`,
    `${hop.depth > 0 ? `${'  '.repeat(hop.depth - 1)}└ ` : ''}${hop.topic}`,
    `${hop.partition}@${hop.offset}`,
    hop.agent ?? '-',
    hop.attempt !== null ? String(hop.attempt) : '-',
    cut(outcomeText(hop), MAX_OUTCOME_CHARS),
    formatDuration(hop.durationMs),
    timeBar(hop.startMs, hop.durationMs, journey.durationMs, width),
  ]);
  const heading = ['START', 'TOPIC', 'AT', 'AGENT', 'TRY', 'OUTCOME', 'TOOK', `0 … ${formatDuration(journey.durationMs)}`];
  const widths = heading.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  lines.push(line(heading), ...rows.map(line));
  return `${lines.join('\n')}\n`;
}

/** The trace's page in Jaeger's UI. */
export function jaegerTraceUrl(base: string, traceId: string): string {
  return `${base.replace(/\/+$/, '')}/trace/${traceId}`;
}
