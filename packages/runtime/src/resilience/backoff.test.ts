import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('takes the delay of the attempt, reusing the last beyond the list', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs([100, 1_000, 10_000], attempt, 0, 0.5))).toEqual([100, 1_000, 10_000, 10_000]);
  });

  it('jitters within ±jitter of the delay: random 0 is the low end, 0.5 the delay, near 1 the high end', () => {
    expect(backoffDelayMs([1_000], 1, 0.5, 0)).toBe(500);
    expect(backoffDelayMs([1_000], 1, 0.5, 0.5)).toBe(1_000);
    expect(backoffDelayMs([1_000], 1, 0.5, 0.999999)).toBe(1_500);
  });

  it('is never negative, and zero without delays', () => {
    expect(backoffDelayMs([100], 1, 2, 0)).toBe(0);
    expect(backoffDelayMs([], 3, 0.5, 0.9)).toBe(0);
  });
});
