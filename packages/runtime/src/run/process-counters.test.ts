import { Registry } from 'prom-client';
import { registerRestartsGauge } from './process-counters';

describe('registerRestartsGauge', () => {
  it('exports mesh_process_restarts for the agent', async () => {
    const registry = new Registry();
    registerRestartsGauge(registry, 'ocr', 2);
    expect(await registry.metrics()).toContain('mesh_process_restarts{agent="ocr"} 2');
  });
});
