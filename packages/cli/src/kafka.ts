import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { quietIdleRequestQueues } from './kafka-idle';
import { describeKafkaSecurity, kafkaSecurityHint } from '@agentmesh/runtime/internal/fleet';
import { UsageError } from './options';
import { cliConnection, cliKafkaSecurity } from './connection/settings';

export interface KafkaClientOptions {
  /** Per connection attempt. Default 3 s. */
  connectionTimeoutMs?: number;
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Retries of a failed connect or request before giving up. Default 2, so a dead broker fails in seconds. */
  retries?: number;
  /** kafkajs's own logging. Default: none, since its JSON lines would bury the one line a command prints. */
  logLevel?: logLevel;
}

/** A kafkajs client for a short-lived command: bounded retries and quiet logs. */
export function kafkaClient(brokers: readonly string[], clientId: string, options: KafkaClientOptions = {}): Kafka {
  quietIdleRequestQueues();
  const config: KafkaConfig = {
    clientId,
    brokers: [...brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: options.retries ?? 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: options.logLevel ?? logLevel.NOTHING,
    // TLS and SASL as the environment (or the profile) says: KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*.
    ...cliKafkaSecurity(),
  };
  return new Kafka(config);
}

/**
 * kafkajs error text, with the cause's when it wraps one (retries exhausted wraps the real failure),
 * and what to check when it looks like a TLS or SASL mismatch.
 */
export function kafkaErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { originalError?: unknown }).originalError ?? error.cause;
  const message = cause instanceof Error && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
  const hint = kafkaSecurityHint(message, cliConnection().kafka);
  return hint ? `${message} (${hint})` : message;
}

/**
 * A process's start failing on Kafka (a refused login, TLS against a plaintext port, ...) as one line
 * naming what was starting, the brokers and how it connects; any other error as it is.
 */
export function kafkaStartError(error: unknown, what: string, brokers: readonly string[]): unknown {
  if (!(error instanceof Error) || !error.name.startsWith('KafkaJS')) return error;
  return new UsageError(`${what} cannot start: Kafka at ${brokers.join(',')} over ${describeKafkaSecurity(cliConnection().kafka)}: ${kafkaErrorMessage(error)}`);
}
