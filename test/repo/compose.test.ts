import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_ENDPOINTS } from '@agentmesh/cli';

// No Docker engine runs in CI, so the compose file is checked statically against the defaults in code.
interface ComposeService {
  image?: string;
  ports?: string[];
  healthcheck?: { test?: unknown };
}

const compose = parse(readFileSync(join(__dirname, '../../docker-compose.kafka.yml'), 'utf8')) as { services: Record<string, ComposeService> };

const publishedPorts = (service: string): number[] =>
  (compose.services[service]?.ports ?? []).map((spec) => {
    const parts = spec.split(':');
    return Number(parts[parts.length - 2]);
  });

const portOf = (url: string): number => Number(new URL(url.includes('://') ? url : `tcp://${url}`).port);

describe('docker-compose.kafka.yml', () => {
  it('runs Kafka in KRaft mode, a schema registry, Redis and Jaeger, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['jaeger', 'kafka', 'redis', 'schema-registry']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test) }).toEqual({ name, healthcheck: true });
    }
    const kafkaEnv = (compose.services.kafka as { environment?: Record<string, unknown> }).environment ?? {};
    expect(kafkaEnv.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect((compose.services.jaeger as { environment?: Record<string, unknown> }).environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
  });

  it('publishes the ports agentmesh uses by default, on loopback', () => {
    expect(publishedPorts('kafka')).toContain(portOf(DEFAULT_ENDPOINTS.KAFKA_BROKERS));
    expect(publishedPorts('schema-registry')).toContain(portOf(DEFAULT_ENDPOINTS.SCHEMA_REGISTRY_URL));
    expect(publishedPorts('redis')).toContain(portOf(DEFAULT_ENDPOINTS.REDIS_URL));
    expect(publishedPorts('jaeger')).toContain(portOf(DEFAULT_ENDPOINTS.OTEL_EXPORTER_OTLP_ENDPOINT));
    for (const service of Object.values(compose.services)) for (const spec of service.ports ?? []) expect(spec.startsWith('127.0.0.1:')).toBe(true);
  });
});
