import type { Scheduler } from '@agentmesh/runtime';
import { TestMeshError, WaitTimeoutError } from '../errors';

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

export interface RunUntilOptions {
  /** Real time allowed for the whole wait. Default 10 s. */
  timeoutMs?: number;
  /** Real time the mesh gets to act on what is due before the clock jumps to the next timer. Default 25 ms. */
  settleMs?: number;
  /** Named in the timeout error. */
  what?: string;
}

/**
 * Virtual time for workers started with it as their `clock` and `scheduler`: what a worker schedules (a retry
 * tier's pause until its record is due) fires when the test moves time past it, not when real time does.
 * Timers fire in due order, each seeing the clock at its own due time.
 */
export class TestClock implements Scheduler {
  private current: number;
  private seq = 0;
  private readonly timers: PendingTimer[] = [];
  private readonly onSchedule = new Set<() => void>();

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  /** The virtual time, epoch ms; bound, so it can be handed on as a `() => number` clock. */
  readonly now = (): number => this.current;

  after(ms: number, fn: () => void): () => void {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    for (const notify of [...this.onSchedule]) notify();
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Timers scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Resolves once at least `count` timers are pending: with a manual clock, the moment to advance is when the
   * worker has paused on what is not due yet (moving time before that may leave its pause to a later advance).
   */
  waitForPending(count = 1, timeoutMs = 10_000): Promise<void> {
    if (this.timers.length >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.timers.length < count) return;
        clearTimeout(timer);
        this.onSchedule.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.onSchedule.delete(check);
        reject(new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${count} pending timer(s); ${this.timers.length} pending`));
      }, timeoutMs);
      this.onSchedule.add(check);
    });
  }

  /** When the earliest pending timer is due, if any. */
  nextDueAt(): number | undefined {
    return this.earliest()?.at;
  }

  /** Moves time forward by `ms`, firing every timer due by then. Returns how many fired. */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new TestMeshError(`clock.advance: ${ms} is not a non-negative number of ms`);
    return this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `at` (epoch ms), firing every timer due by then; never moves it back. */
  advanceTo(at: number): number {
    let fired = 0;
    for (let next = this.earliest(); next && next.at <= at; next = this.earliest()) {
      this.timers.splice(this.timers.indexOf(next), 1);
      this.current = Math.max(this.current, next.at);
      fired++;
      next.fn();
    }
    this.current = Math.max(this.current, at);
    return fired;
  }

  /** Jumps to the earliest pending timer and fires it (with any due at the same time). False when none is pending. */
  next(): boolean {
    const at = this.nextDueAt();
    if (at === undefined) return false;
    this.advanceTo(at);
    return true;
  }

  /**
   * Skips ahead while waiting: until `done` settles, whenever the mesh has had `settleMs` of real time to act,
   * jumps to the next pending timer. Retry tiers seconds to minutes apart so pass in milliseconds, in order.
   */
  async runUntil<T>(done: Promise<T>, options: RunUntilOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const settleMs = options.settleMs ?? 25;
    const deadline = Date.now() + timeoutMs;
    let settled = false;
    const watched = done.finally(() => (settled = true));
    // A rejection is reported by the caller's await below, not as unhandled while the loop runs.
    watched.catch(() => undefined);
    while (!settled) {
      if (Date.now() > deadline)
        throw new WaitTimeoutError(`timed out after ${timeoutMs} ms of real time waiting for ${options.what ?? 'a condition'} (virtual clock at ${new Date(this.current).toISOString()})`);
      await Promise.race([watched, new Promise((resolve) => setTimeout(resolve, settleMs))]).catch(() => undefined);
      if (!settled) this.next();
    }
    return watched;
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }
}
