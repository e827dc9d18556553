import { connectionSettingsFromEnv } from '@agentmesh/runtime/internal/fleet';
import { cliConnection } from './connection/settings';

/**
 * Where agentmesh looks for its parts when the environment says nothing.
 * docker-compose.kafka.yml publishes the same ports (a test checks it).
 */
export const DEFAULT_ENDPOINTS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  REDIS_URL: 'redis://127.0.0.1:6379',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
} as const;

export type EndpointName = keyof typeof DEFAULT_ENDPOINTS;

/**
 * The endpoint from the environment (the variable or its `_FILE`, checked with the other connection
 * settings: a registry URL loses the credentials it carries), else the default.
 */
export function endpoint(name: EndpointName, env: NodeJS.ProcessEnv = process.env): string {
  const settings = env === process.env ? cliConnection() : connectionSettingsFromEnv(env);
  const value = { KAFKA_BROKERS: settings.kafka.brokers?.join(','), SCHEMA_REGISTRY_URL: settings.registry.url, REDIS_URL: settings.redisUrl, OTEL_EXPORTER_OTLP_ENDPOINT: settings.otlp.endpoint }[
    name
  ];
  return value ?? DEFAULT_ENDPOINTS[name];
}
