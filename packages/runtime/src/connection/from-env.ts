import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { KafkaConfig } from 'kafkajs';
import { ConnectionConfigError } from './errors';
import { kafkaSecurityConfig, type OAuthBearerProvider } from './kafka-config';
import { parseConnectionSettings, type Environment } from './parse';
import type { ConnectionSettings, KafkaConnectionSettings, OAuthBearerSource } from './settings';

const readText = (path: string) => readFileSync(path, 'utf8');

/** The connection settings of this process, from its environment and the files it names; throws ConnectionConfigError. */
export function connectionSettingsFromEnv(env: Environment = process.env): ConnectionSettings {
  return parseConnectionSettings(env, readText);
}

/** A provider module's default export (or its `oauthBearerProvider` export), checked to be a function. */
function loadProviderModule(module: string): OAuthBearerProvider {
  const path = isAbsolute(module) || module.startsWith('.') ? resolve(module) : module;
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module the operator names at run time
    loaded = require(path);
  } catch (error) {
    throw new ConnectionConfigError(`KAFKA_SASL_OAUTHBEARER_PROVIDER: cannot load ${module}: ${(error as Error).message.split('\n')[0]}`);
  }
  const exports = loaded as { default?: unknown; oauthBearerProvider?: unknown } | undefined;
  const provider = typeof loaded === 'function' ? loaded : (exports?.default ?? exports?.oauthBearerProvider);
  if (typeof provider !== 'function') throw new ConnectionConfigError(`KAFKA_SASL_OAUTHBEARER_PROVIDER: ${module} exports no function (default or oauthBearerProvider)`);
  return provider as OAuthBearerProvider;
}

/** The OAUTHBEARER token provider the settings name: a fixed token, a token file read at each authentication, or a module. */
export function oauthBearerProviderFor(source: OAuthBearerSource): OAuthBearerProvider {
  switch (source.kind) {
    case 'token':
      return () => Promise.resolve({ value: source.token });
    case 'token-file':
      return () => Promise.resolve({ value: readText(source.path).trim() });
    case 'provider-module':
      return loadProviderModule(source.module);
  }
}

/** The kafkajs TLS and SASL config of these settings, the OAUTHBEARER provider loaded when one is named. */
export function kafkaSecurityFromSettings(settings: KafkaConnectionSettings): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const provider = settings.sasl?.mechanism === 'OAUTHBEARER' ? oauthBearerProviderFor(settings.sasl.source) : undefined;
  return kafkaSecurityConfig(settings, provider);
}
