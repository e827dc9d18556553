import { Timers, type Scheduler } from './timers';

/** A scheduler the test fires by hand. */
function handScheduler(): Scheduler & { fire(): void; scheduled: number[] } {
  const queue: Array<{ ms: number; fn: () => void; live: boolean }> = [];
  return {
    scheduled: [],
    now: () => 42,
    after(ms, fn) {
      const entry = { ms, fn, live: true };
      queue.push(entry);
      this.scheduled.push(ms);
      return () => (entry.live = false);
    },
    fire() {
      for (const entry of queue.splice(0)) if (entry.live) entry.fn();
    },
  };
}

describe('Timers', () => {
  it('runs on the scheduler it is given, and clear() cancels what is pending there', () => {
    const scheduler = handScheduler();
    const timers = new Timers(scheduler);
    const fired: string[] = [];
    timers.after(60_000, () => fired.push('first'));
    expect(timers.now()).toBe(42);
    scheduler.fire();
    timers.after(1_000, () => fired.push('cleared'));
    timers.clear();
    scheduler.fire();
    expect(fired).toEqual(['first']);
    expect(scheduler.scheduled).toEqual([60_000, 1_000]);
  });

  it('defaults to real time', async () => {
    const timers = new Timers();
    await new Promise<void>((resolve) => timers.after(1, resolve));
    expect(Math.abs(timers.now() - Date.now())).toBeLessThan(1_000);
  });
});
