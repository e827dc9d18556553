import type { LineProblem } from './event-lines';

/** Problems listed one per line; past this, a count says how many more. */
export const PROBLEMS_SHOWN = 20;

/** The stderr lines naming the invalid lines of `source` (`events.jsonl`, `stdin`). */
export function problemLines(problems: readonly LineProblem[], source: string): string[] {
  const lines = problems.slice(0, PROBLEMS_SHOWN).map((p) => `mesh: ${source} line ${p.line}: ${p.message}`);
  const more = problems.length - PROBLEMS_SHOWN;
  if (more > 0) lines.push(`mesh: ... and ${more} more invalid line${more === 1 ? '' : 's'}`);
  return lines;
}

/** Why nothing was published when some lines are invalid (the default: validate everything, then publish). */
export function refusalMessage(invalid: number, total: number, source: string): string {
  return `${invalid} of ${total} event${total === 1 ? '' : 's'} in ${source} ${invalid === 1 ? 'is' : 'are'} not valid; nothing was published (fix them, or pass --skip-invalid to publish the valid ones)`;
}

export interface PublishSummary {
  topic: string;
  published: number;
  skipped: number;
  elapsedMs: number;
}

/** Events per second, whole; 0 when no time passed to measure. */
export function eventsPerSecond(events: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((events * 1000) / elapsedMs) : 0;
}

/** The one stdout line of a many-event publish. */
export function summaryLine(s: PublishSummary): string {
  const skipped = s.skipped > 0 ? `; skipped ${s.skipped} invalid line${s.skipped === 1 ? '' : 's'}` : '';
  return `published ${s.published} event${s.published === 1 ? '' : 's'} to ${s.topic} in ${(s.elapsedMs / 1000).toFixed(1)} s (${eventsPerSecond(s.published, s.elapsedMs)} events/s)${skipped}`;
}
