import { counterDelta, errorRate, instanceRates } from './rates';

describe('rates from counter deltas', () => {
  it('take a counter that went down as a restart', () => {
    expect(counterDelta(10, 15)).toBe(5);
    expect(counterDelta(10, 3)).toBe(3);
    expect(counterDelta(undefined, 4)).toBe(4);
  });

  it('add up an instance between its first and last heartbeat, across a restart', () => {
    const beats: Array<{ sentAt: number; counters: Record<string, number> }> = [
      { sentAt: 0, counters: { processed: 100, retried: 0 } },
      { sentAt: 5_000, counters: { processed: 150, retried: 5, 'dead-lettered': 1 } },
      { sentAt: 10_000, counters: { processed: 20 } },
    ];
    const { counts, spanMs } = instanceRates(beats);
    expect(spanMs).toBe(10_000);
    expect(counts).toEqual({ processed: 70, retried: 5, deadLettered: 1, degraded: 0, failed: 6 });
    expect(errorRate(counts)).toBeCloseTo(6 / 76);
  });

  it('is 0 for an idle agent', () => {
    expect(errorRate(instanceRates([{ sentAt: 0, counters: {} }]).counts)).toBe(0);
  });
});
