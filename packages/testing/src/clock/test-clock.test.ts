import { WaitTimeoutError } from '../errors';
import { TestClock } from './test-clock';

describe('TestClock', () => {
  it('fires timers in due order as time advances, each at its own due time', () => {
    const clock = new TestClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.after(60_000, () => fired.push(['c', clock.now()]));
    clock.after(1_000, () => fired.push(['a', clock.now()]));
    clock.after(10_000, () => fired.push(['b', clock.now()]));
    expect(clock.advance(999)).toBe(0);
    expect(clock.advance(10_001)).toBe(2);
    expect(fired).toEqual([
      ['a', 2_000],
      ['b', 11_000],
    ]);
    expect(clock.now()).toBe(12_000);
    expect(clock.next()).toBe(true);
    expect(fired[2]).toEqual(['c', 61_000]);
    expect(clock.next()).toBe(false);
  });

  it('does not fire a cancelled timer, and fires one scheduled by another as soon as it is due', () => {
    const clock = new TestClock(0);
    const fired: string[] = [];
    const cancel = clock.after(5, () => fired.push('cancelled'));
    clock.after(5, () => clock.after(0, () => fired.push('chained')));
    cancel();
    clock.advance(5);
    expect(fired).toEqual(['chained']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses to move back or by a non-number', () => {
    const clock = new TestClock(100);
    expect(() => clock.advance(-1)).toThrow(/not a non-negative number/);
    clock.advanceTo(50);
    expect(clock.now()).toBe(100);
  });

  it('skips ahead to pending timers while waiting, and gives up after its real-time bound', async () => {
    const clock = new TestClock(0);
    const done = new Promise<number>((resolve) => clock.after(60_000, () => clock.after(10_000, () => resolve(clock.now()))));
    const started = Date.now();
    await expect(clock.runUntil(done, { settleMs: 1 })).resolves.toBe(70_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    const pending = clock.waitForPending(1, 1_000);
    clock.after(5, () => undefined);
    await expect(pending).resolves.toBeUndefined();
    await expect(clock.waitForPending(2, 20)).rejects.toThrow(/1 pending/);
    await expect(clock.runUntil(new Promise<never>(() => undefined), { timeoutMs: 50, settleMs: 5, what: 'nothing' })).rejects.toThrow(WaitTimeoutError);
  });
});
