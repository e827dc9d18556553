import { detectAnomalies, type MetricWindow } from './anomalies';
import { averagePathLength, IsolationForest, seededRandom } from './isolation-forest';

/** Sixty 30 s windows of an agent in steady state: throughput, latency and lag wobble a little; few errors, few retries. */
function steady(seed: number, count = 60): MetricWindow[] {
  const random = seededRandom(seed);
  const jitter = (base: number, share: number) => base * (1 + (random() - 0.5) * 2 * share);
  return Array.from({ length: count }, (_, i) => ({
    at: i * 30_000,
    throughput: jitter(100, 0.1),
    errorRate: jitter(0.01, 0.5),
    p99Ms: jitter(80, 0.1),
    lag: Math.round(jitter(20, 0.3)),
    retries: jitter(1, 0.5),
  }));
}

describe('IsolationForest', () => {
  it('normalises path lengths as the paper does', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.24, 1);
  });

  it('scores a far point well above the points it learnt from, and the same way every time', () => {
    const random = seededRandom(7);
    const cloud = Array.from({ length: 200 }, () => [random(), random()]);
    const forest = IsolationForest.fit(cloud);
    expect(forest.score([8, 8])).toBeGreaterThan(0.6);
    expect(forest.score([0.5, 0.5])).toBeLessThan(0.5);
    expect(IsolationForest.fit(cloud).score([8, 8])).toBe(forest.score([8, 8]));
    expect(() => IsolationForest.fit([])).toThrow(RangeError);
  });
});

describe('detectAnomalies', () => {
  it('flags nothing in steady noise', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) expect(detectAnomalies(steady(seed))).toEqual([]);
  });

  it('flags a latency spike, naming p99 as the metric that stands out', () => {
    const series = steady(11);
    series[40] = { ...series[40]!, p99Ms: 900 };
    const found = detectAnomalies(series);
    expect(found.map((a) => [a.at, a.metric])).toEqual([[40 * 30_000, 'p99Ms']]);
    expect(found[0]!.score).toBeGreaterThan(0.6);
  });

  it('flags an error burst with its retries', () => {
    const series = steady(12);
    for (const i of [50, 51]) series[i] = { ...series[i]!, errorRate: 0.4, retries: 40 };
    const found = detectAnomalies(series);
    expect(found.map((a) => a.at)).toEqual([50 * 30_000, 51 * 30_000]);
    expect(found.every((a) => a.metric === 'errorRate' || a.metric === 'retries')).toBe(true);
  });

  it('needs enough history to judge', () => {
    const series = steady(13, 5);
    series[4] = { ...series[4]!, p99Ms: 5_000 };
    expect(detectAnomalies(series)).toEqual([]);
  });
});
