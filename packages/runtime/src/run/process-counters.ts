import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../observability/prometheus-metrics';

/** How many times a supervisor has restarted this process (`mesh run --replicas N` passes it as MESH_RESTARTS). */
export const PROCESS_RESTARTS_METRIC = `${METRIC_PREFIX}process_restarts`;

/** The heartbeat counter holding the same number. */
export const RESTARTS_COUNTER = 'restarts';

/** `mesh_process_restarts{agent}`: set once, at start. */
export function registerRestartsGauge(registry: Registry, agent: string, restarts: number): void {
  const gauge = new Gauge({ name: PROCESS_RESTARTS_METRIC, help: 'How many times a supervisor has restarted this process (0: its first run)', labelNames: ['agent'], registers: [registry] });
  gauge.set({ agent }, restarts);
}
