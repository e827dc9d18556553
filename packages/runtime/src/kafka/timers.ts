/**
 * Where a process's one-shot timers run and what time it is for them. Production uses the real clock;
 * a test kit passes a virtual one, so a retry tier's pause minutes long ends when the test advances time.
 */
export interface Scheduler {
  now(): number;
  /** Calls `fn` once after `ms`; the function returned cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const REAL_SCHEDULER: Scheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** One-shot timers that can all be cancelled at once (on stop), so nothing fires into a closed client. */
export class Timers {
  private readonly pending = new Set<() => void>();

  constructor(private readonly scheduler: Scheduler = REAL_SCHEDULER) {}

  now(): number {
    return this.scheduler.now();
  }

  after(ms: number, fn: () => void): void {
    const cancel = this.scheduler.after(ms, () => {
      this.pending.delete(cancel);
      fn();
    });
    this.pending.add(cancel);
  }

  clear(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}
