import { classifyTrend, healthHistory } from './trend';

describe('the health trend', () => {
  it('is healthy at 95% healthy checks, degrading at 70%, unhealthy below', () => {
    expect(classifyTrend(95, 100)).toBe('healthy');
    expect(classifyTrend(94, 100)).toBe('degrading');
    expect(classifyTrend(70, 100)).toBe('degrading');
    expect(classifyTrend(69, 100)).toBe('unhealthy');
    expect(classifyTrend(0, 0)).toBe('unknown');
  });

  it('keeps a history per slice of the window', () => {
    const checks = Array.from({ length: 60 }, (_, i) => ({ at: i * 1_000, healthy: i < 30 }));
    const h = healthHistory(checks, 0, 60_000, 2);
    expect(h).toEqual({ trend: 'unhealthy', healthyShare: 0.5, checks: 60, history: [1, 0] });
  });
});
