import { restartDelayMs, RESTART_FIRST_DELAY_MS, RESTART_MAX_DELAY_MS } from './restart-delay';

describe('restartDelayMs', () => {
  it('starts at the first delay and doubles per crash without progress', () => {
    expect([1, 2, 3, 4].map(restartDelayMs)).toEqual([RESTART_FIRST_DELAY_MS, 2 * RESTART_FIRST_DELAY_MS, 4 * RESTART_FIRST_DELAY_MS, 8 * RESTART_FIRST_DELAY_MS]);
  });

  it('never waits longer than the maximum, however many crashes', () => {
    expect(restartDelayMs(6)).toBe(RESTART_MAX_DELAY_MS);
    expect(restartDelayMs(10_000)).toBe(RESTART_MAX_DELAY_MS);
  });

  it('treats a first crash (or a count of zero) as the first delay', () => {
    expect(restartDelayMs(0)).toBe(RESTART_FIRST_DELAY_MS);
  });
});
