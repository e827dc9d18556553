import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { KafkaConnectionSettings, KafkaTlsSettings } from './settings';

/** kafkajs's OAUTHBEARER hook: a fresh token for each authentication (AWS MSK IAM is one such provider). */
export type OAuthBearerProvider = () => Promise<{ value: string }>;

function tlsOptions(tls: KafkaTlsSettings): ConnectionOptions {
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.keyPassword !== undefined ? { passphrase: tls.keyPassword } : {}),
    ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
  };
}

/**
 * The TLS and SASL part of a kafkajs config for these settings. OAUTHBEARER needs the provider
 * (see oauthBearerProviderFor); the other mechanisms carry their credentials in the settings.
 */
export function kafkaSecurityConfig(settings: KafkaConnectionSettings, oauthBearerProvider?: OAuthBearerProvider): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (settings.tls) config.ssl = tlsOptions(settings.tls);
  const sasl = settings.sasl;
  if (sasl?.mechanism === 'OAUTHBEARER') {
    if (!oauthBearerProvider) throw new Error('OAUTHBEARER needs a token provider');
    config.sasl = { mechanism: 'oauthbearer', oauthBearerProvider };
  } else if (sasl) {
    config.sasl = { mechanism: sasl.mechanism.toLowerCase(), username: sasl.username, password: sasl.password } as SASLOptions;
  }
  return config;
}

/** How the connection authenticates, for messages: `SASL_SSL (SCRAM-SHA-512 as alice)`. Never a secret. */
export function describeKafkaSecurity(settings: KafkaConnectionSettings): string {
  const sasl = settings.sasl;
  if (!sasl) return settings.securityProtocol;
  return `${settings.securityProtocol} (${sasl.mechanism}${sasl.mechanism === 'OAUTHBEARER' ? '' : ` as ${sasl.username}`})`;
}
