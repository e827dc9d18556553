import { SingleBar } from 'cli-progress';

/** How far a long publish has got, told on stderr so stdout keeps only the result. */
export interface Progress {
  update(published: number): void;
  stop(): void;
}

/** On a terminal, how often a line is written instead of a bar: often enough to show life, rarely enough to read. */
export const PROGRESS_LINE_EVERY_MS = 5_000;

/** Whether a progress line is due: the first after `everyMs`, then one per `everyMs`. */
export function lineDue(lastAt: number, now: number, everyMs: number): boolean {
  return now - lastAt >= everyMs;
}

/**
 * A bar (cli-progress: a maintained, well-known bar that redraws in place) when stderr is a
 * terminal; otherwise a plain line now and then, which log files and CI keep readable.
 */
export function startProgress(total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: 'publishing [{bar}] {value}/{total} events, {percentage}%, ETA {eta}s', hideCursor: true, clearOnComplete: true });
    bar.start(total, 0);
    return { update: (published) => bar.update(published), stop: () => bar.stop() };
  }
  let lastAt = now();
  return {
    update(published) {
      if (!lineDue(lastAt, now(), PROGRESS_LINE_EVERY_MS)) return;
      lastAt = now();
      stream.write(`publishing: ${published} of ${total} events\n`);
    },
    stop: () => undefined,
  };
}
