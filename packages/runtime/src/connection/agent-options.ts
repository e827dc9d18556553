import type { KafkaConfig } from 'kafkajs';
import { kafkaSecurityFromSettings } from './from-env';
import type { ConnectionSettings, RegistryAuth } from './settings';

/** Where a process connects when the environment says nothing (the ports `docker-compose.kafka.yml` publishes). */
export const DEFAULT_BROKERS: readonly string[] = ['127.0.0.1:9092'];

/** What runAgent needs to connect as the environment says: spread into its options. */
export interface AgentConnectionOptions {
  brokers: string[];
  registryUrl?: string;
  registryAuth?: RegistryAuth;
  redisUrl?: string;
  kafka: Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

/**
 * runAgent's connection options from the settings (connectionSettingsFromEnv()): brokers (default
 * 127.0.0.1:9092), TLS and SASL, the registry and its credentials, Redis. Unset registry and Redis stay
 * unset (JSON values, an in-process store), as runAgent's own defaults.
 */
export function agentConnectionOptions(settings: ConnectionSettings): AgentConnectionOptions {
  return {
    brokers: [...(settings.kafka.brokers ?? DEFAULT_BROKERS)],
    kafka: kafkaSecurityFromSettings(settings.kafka),
    ...(settings.registry.url !== undefined ? { registryUrl: settings.registry.url } : {}),
    ...(settings.registry.auth ? { registryAuth: settings.registry.auth } : {}),
    ...(settings.redisUrl !== undefined ? { redisUrl: settings.redisUrl } : {}),
  };
}
