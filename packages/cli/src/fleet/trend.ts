/** The health trend: the share of healthy checks in the window. */
export type HealthTrend = 'healthy' | 'degrading' | 'unhealthy' | 'unknown';

/** The design notes' thresholds: healthy at 95% healthy checks or more, degrading at 70% or more, unhealthy below. */
export const HEALTHY_SHARE = 0.95;
export const DEGRADING_SHARE = 0.7;

export function classifyTrend(healthy: number, total: number): HealthTrend {
  if (total === 0) return 'unknown';
  const share = healthy / total;
  if (share >= HEALTHY_SHARE) return 'healthy';
  return share >= DEGRADING_SHARE ? 'degrading' : 'unhealthy';
}

/** One health check: a heartbeat, or a heartbeat that should have come and did not. */
export interface HealthCheck {
  at: number;
  healthy: boolean;
}

export interface HealthHistory {
  trend: HealthTrend;
  /** Healthy share of the whole window; null with no checks. */
  healthyShare: number | null;
  checks: number;
  /** Healthy share per equal slice of the window, oldest first (null: no check in that slice). */
  history: Array<number | null>;
}

/** The window's checks summarised: the trend over all of them and the healthy share of each of `slices` slices. */
export function healthHistory(checks: readonly HealthCheck[], from: number, to: number, slices = 6): HealthHistory {
  const healthy = checks.filter((c) => c.healthy).length;
  const width = Math.max(1, (to - from) / slices);
  const buckets = Array.from({ length: slices }, () => ({ healthy: 0, total: 0 }));
  for (const c of checks) {
    const b = buckets[Math.min(slices - 1, Math.max(0, Math.floor((c.at - from) / width)))]!;
    b.total += 1;
    if (c.healthy) b.healthy += 1;
  }
  return {
    trend: classifyTrend(healthy, checks.length),
    healthyShare: checks.length > 0 ? healthy / checks.length : null,
    checks: checks.length,
    history: buckets.map((b) => (b.total > 0 ? b.healthy / b.total : null)),
  };
}
