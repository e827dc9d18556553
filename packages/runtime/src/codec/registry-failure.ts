import { redactRedisUrl } from '../redis/redact-url';
import { SchemaRegistryAuthError, SchemaRegistryUnavailableError } from './errors';

/** The registry answered 404: the subject or schema id does not exist. */
export const NOT_FOUND = Symbol('not found');

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** A URL safe to show: any password in it replaced (the Redis helper is URL-generic), no slash added. */
export function redactRegistryUrl(url: string): string {
  const redacted = redactRedisUrl(url);
  return url.endsWith('/') ? redacted : redacted.replace(/\/$/, '');
}

/**
 * What a failed registry call means: 404 is NOT_FOUND (the caller decides), 401/403 a configuration error
 * (SchemaRegistryAuthError), anything else the registry being unavailable (transient).
 */
export function registryFailure(registryUrl: string, what: string, error: unknown): typeof NOT_FOUND | SchemaRegistryUnavailableError {
  const status = statusOf(error);
  if (status === 404) return NOT_FOUND;
  if (status === 401 || status === 403) return new SchemaRegistryAuthError(redactRegistryUrl(registryUrl), status, what, { cause: error });
  // mappersmith reports a refused connection as a status-400 response whose text is the socket error.
  const detail = (error instanceof Error ? error.message : String(error)).replace(/^Confluent_Schema_Registry - /, '').replace(/^Error, status 400: (?=\w+ E[A-Z]+\b)/, '');
  return new SchemaRegistryUnavailableError(registryUrl, `could not get ${what}: ${detail}`, { cause: error });
}
