import { NoopWorkerMetrics } from '../observability/metrics';
import { LatencyWindow, percentile, recordingLatency } from './latency-window';

describe('percentile', () => {
  it('interpolates between nearest ranks and is undefined for no values', () => {
    expect(percentile([], 0.5)).toBeUndefined();
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1)).toBe(11);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0)).toBe(1);
  });
});

describe('LatencyWindow', () => {
  it('summarises one interval and starts the next empty', () => {
    const w = new LatencyWindow();
    for (let ms = 1; ms <= 100; ms++) w.record(ms);
    const summary = w.drain()!;
    expect(summary.p50Ms).toBeCloseTo(50.5);
    expect(summary.p99Ms).toBeCloseTo(99.01);
    expect(w.drain()).toBeUndefined();
  });

  it('keeps a bounded sample under load and still sees a slow tail', () => {
    let seed = 1;
    const w = new LatencyWindow(() => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646);
    for (let i = 0; i < 50_000; i++) w.record(i % 100 < 98 ? 10 : 500);
    const summary = w.drain()!;
    expect(summary.p50Ms).toBe(10);
    expect(summary.p99Ms).toBe(500);
  });

  it('is fed by the worker metrics it wraps', () => {
    const w = new LatencyWindow();
    const metrics = recordingLatency(new NoopWorkerMetrics(), w);
    metrics.handlerDuration('a', 0.25, true);
    expect(w.drain()).toEqual({ p50Ms: 250, p99Ms: 250 });
  });
});
