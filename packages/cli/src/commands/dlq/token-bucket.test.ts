import { TokenBucket } from './token-bucket';

/** A clock that only moves when the bucket sleeps, so the test sees exactly the waits it asked for. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

describe('TokenBucket', () => {
  it('lets a second of burst through, then paces at the rate', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket(4, t.clock, t.sleep);
    for (let i = 0; i < 4; i++) await bucket.take();
    expect(t.sleeps).toEqual([]);
    for (let i = 0; i < 4; i++) await bucket.take();
    expect(t.sleeps).toEqual([250, 250, 250, 250]);
  });

  it('refills with time but never above its capacity', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket(2, t.clock, t.sleep);
    await bucket.take();
    await bucket.take();
    expect(bucket.tryTake()).toBe(false);
    t.advance(60_000);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  });

  it('handles rates below one per second', async () => {
    const t = fakeTime();
    const bucket = new TokenBucket(0.5, t.clock, t.sleep);
    await bucket.take();
    await bucket.take();
    expect(t.sleeps).toEqual([2_000]);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN)).toThrow(RangeError);
  });

  it('waits on real time without spinning', async () => {
    const bucket = new TokenBucket(50);
    const started = Date.now();
    for (let i = 0; i < 52; i++) await bucket.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(30); // two tokens at 20 ms each, less timer slack
  });
});
