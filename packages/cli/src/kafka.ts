import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

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
  const config: KafkaConfig = {
    clientId,
    brokers: [...brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: options.retries ?? 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    logLevel: options.logLevel ?? logLevel.NOTHING,
  };
  return new Kafka(config);
}

/** kafkajs error text, with the cause's when it wraps one (retries exhausted wraps the real failure). */
export function kafkaErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { originalError?: unknown }).originalError ?? error.cause;
  return cause instanceof Error && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
}
