export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export const SASL_MECHANISM_NAMES = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISM_NAMES)[number];

/** TLS to the brokers: PEM text read from the files named, checks on unless turned off explicitly. */
export interface KafkaTlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  keyPassword?: string;
  serverName?: string;
  rejectUnauthorized: boolean;
}

/** Where an OAUTHBEARER token comes from: a value, a file read at every authentication, or a provider module. */
export type OAuthBearerSource = { kind: 'token'; token: string } | { kind: 'token-file'; path: string } | { kind: 'provider-module'; module: string };

export type KafkaSaslSettings = { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string } | { mechanism: 'OAUTHBEARER'; source: OAuthBearerSource };

export interface KafkaConnectionSettings {
  /** Absent when KAFKA_BROKERS is not set: the caller's default applies. */
  brokers?: string[];
  securityProtocol: SecurityProtocol;
  tls?: KafkaTlsSettings;
  sasl?: KafkaSaslSettings;
}

export type RegistryAuth = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface RegistryConnectionSettings {
  url?: string;
  auth?: RegistryAuth;
}

export interface ConnectionSettings {
  kafka: KafkaConnectionSettings;
  registry: RegistryConnectionSettings;
  /** Credentials, when any, are in the URL (`rediss://user:password@host:port`); log it through redactRedisUrl. */
  redisUrl?: string;
  otlp: { endpoint?: string; headers: Record<string, string> };
}
