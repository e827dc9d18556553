import { connectionSettingsFromEnv, kafkaSecurityFromSettings, type ConnectionSettings, type RegistryAuth } from '@agentmesh/runtime/internal/fleet';
import type { KafkaConfig } from 'kafkajs';

let current: { settings: ConnectionSettings; kafkaSecurity?: Pick<KafkaConfig, 'ssl' | 'sasl'> } | undefined;

/**
 * The connection settings of this `mesh` process: its environment (with the chosen profile filled in
 * by the program's preAction hook) read once, so every command and the console connect alike.
 * Throws ConnectionConfigError, one line naming the variable, when they cannot work.
 */
export function cliConnection(): ConnectionSettings {
  current ??= { settings: connectionSettingsFromEnv(process.env) };
  return current.settings;
}

/** kafkajs's TLS and SASL config for every client the CLI makes (an OAUTHBEARER provider module loaded once). */
export function cliKafkaSecurity(): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const settings = cliConnection();
  current!.kafkaSecurity ??= kafkaSecurityFromSettings(settings.kafka);
  return current!.kafkaSecurity;
}

/** `{ auth }` for a RegistryCodec when the registry needs credentials, else nothing. */
export function registryCredentials(): { auth?: RegistryAuth } {
  const auth = cliConnection().registry.auth;
  return auth ? { auth } : {};
}
