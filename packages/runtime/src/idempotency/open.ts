import type { Logger } from 'pino';
import { redactRedisUrl } from '../redis/connection';
import { MemoryIdempotencyStore } from './memory-store';
import { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './redis-store';
import type { InspectableIdempotencyStore } from './store';

export interface OpenIdempotencyStoreOptions extends RedisIdempotencyStoreOptions {
  /** REDIS_URL; empty or absent means the in-process store. */
  redisUrl?: string;
  logger: Logger;
}

export const NO_REDIS_WARNING = 'no REDIS_URL: duplicates are only suppressed within this process';

/** The Redis store when a URL is given; otherwise the in-process one, with one warning saying what that costs. */
export function openIdempotencyStore(options: OpenIdempotencyStoreOptions): InspectableIdempotencyStore {
  const { redisUrl, logger, ...redisOptions } = options;
  if (redisUrl && redisUrl.trim() !== '') {
    logger.debug({ redis: redactRedisUrl(redisUrl) }, 'idempotency store: redis');
    return RedisIdempotencyStore.connect(redisUrl.trim(), logger, redisOptions);
  }
  logger.warn({ store: 'idempotency' }, NO_REDIS_WARNING);
  return new MemoryIdempotencyStore();
}
