import { NoopWorkerMetrics } from './metrics';
import { createMetricsRegistry, PrometheusWorkerMetrics } from './prometheus-metrics';

async function value(metrics: PrometheusWorkerMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
}

describe('PrometheusWorkerMetrics', () => {
  it('drops bad numbers instead of throwing into the worker', async () => {
    const metrics = new PrometheusWorkerMetrics({ collectProcessMetrics: false });
    expect(() => {
      metrics.eventOutcome('a', 'processed', -1);
      metrics.eventOutcome('a', 'processed', Number.NaN);
      metrics.handlerDuration('a', Number.NaN, true);
      metrics.handlerDuration('a', -0.5, true);
      metrics.consumerLag('a', 't', 0, Number.POSITIVE_INFINITY);
    }).not.toThrow();
    expect(await value(metrics, 'mesh_events_total', { agent: 'a' })).toBeUndefined();
    expect(await value(metrics, 'mesh_consumer_lag', { agent: 'a' })).toBeUndefined();
  });

  it('maps breaker states to 0/1/2 and clamps negative lag to 0', async () => {
    const metrics = new PrometheusWorkerMetrics({ collectProcessMetrics: false });
    metrics.breakerState('a', 'db', 'half-open');
    expect(await value(metrics, 'mesh_breaker_state', { breaker: 'db' })).toBe(1);
    metrics.breakerState('a', 'db', 'closed');
    expect(await value(metrics, 'mesh_breaker_state', { breaker: 'db' })).toBe(0);
    metrics.consumerLag('a', 't', 1, -3);
    expect(await value(metrics, 'mesh_consumer_lag', { partition: '1' })).toBe(0);
  });

  it('forgets the lag of a partition no longer assigned', async () => {
    const metrics = new PrometheusWorkerMetrics({ collectProcessMetrics: false });
    metrics.consumerLag('a', 't', 1, 5);
    metrics.consumerLag('a', 't', 2, 7);
    metrics.forgetPartition('a', 't', 1);
    expect(await value(metrics, 'mesh_consumer_lag', { partition: '1' })).toBeUndefined();
    expect(await value(metrics, 'mesh_consumer_lag', { partition: '2' })).toBe(7);
  });

  it('registers into a shared registry with its default labels', async () => {
    const registry = createMetricsRegistry({ collectProcessMetrics: false, defaultLabels: { instance: 'ocr-1' } });
    const metrics = new PrometheusWorkerMetrics({ registry });
    metrics.retryScheduled('a', 2);
    expect(metrics.registry).toBe(registry);
    expect(await registry.metrics()).toContain('mesh_retries_total{agent="a",tier="2",instance="ocr-1"} 1');
    expect(await registry.metrics()).not.toContain('process_cpu');
  });

  it('has a no-op twin', () => {
    const noop = new NoopWorkerMetrics();
    expect(() => noop.eventOutcome()).not.toThrow();
  });
});
