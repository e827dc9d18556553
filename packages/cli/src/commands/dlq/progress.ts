/** Where progress goes: stderr in the CLI, a captured stream in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressCounts {
  /** DLQ records read so far, of `total` in the range being replayed. */
  scanned: number;
  total: number;
  replayed: number;
  skipped: number;
}

export interface ProgressOptions {
  clock?: () => number;
  /** Least time between two redraws (TTY) or two lines (not a TTY). Default 100 ms / 2 s. */
  intervalMs?: number;
}

const BAR_WIDTH = 30;

/** `[#########---------]  120/400 read, 95 replayed, 25 skipped` */
export function renderProgressLine(counts: ProgressCounts): string {
  const fraction = counts.total > 0 ? Math.min(1, counts.scanned / counts.total) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  return `${bar} ${String(counts.scanned).padStart(String(counts.total).length)}/${counts.total} read, ${counts.replayed} replayed, ${counts.skipped} skipped`;
}

/**
 * Progress of a long replay on stderr. On a terminal, one bar redrawn in
 * place (at most every 100 ms); otherwise (a pipe, a CI log) plain counter
 * lines at most every 2 s, so logs stay readable. stdout is left to results.
 */
export class ProgressReporter {
  private readonly clock: () => number;
  private readonly intervalMs: number;
  private lastAt = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.intervalMs = options.intervalMs ?? (stream.isTTY ? 100 : 2_000);
  }

  update(counts: ProgressCounts): void {
    const now = this.clock();
    if (now - this.lastAt < this.intervalMs) return;
    this.lastAt = now;
    this.draw(counts);
  }

  /** The last state, always drawn; ends the bar's line on a terminal. */
  finish(counts: ProgressCounts): void {
    this.draw(counts);
    if (this.stream.isTTY) this.stream.write('\n');
    this.drawn = false;
  }

  private draw(counts: ProgressCounts): void {
    const line = renderProgressLine(counts);
    if (this.stream.isTTY) {
      const width = this.stream.columns ?? 80;
      this.stream.write(`\r${line.slice(0, Math.max(10, width - 1))}\x1b[K`);
      this.drawn = true;
    } else {
      this.stream.write(`replay progress: ${counts.scanned}/${counts.total} read, ${counts.replayed} replayed, ${counts.skipped} skipped\n`);
    }
  }

  /** Clears a half-drawn bar before an error line is printed. */
  interrupt(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\n');
    this.drawn = false;
  }
}
