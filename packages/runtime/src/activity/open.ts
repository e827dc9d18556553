import type { Logger } from 'pino';
import type { IdempotencyStore } from '../idempotency/store';
import { redactRedisUrl } from '../redis/connection';
import { DEFAULT_STATE_REDIS_URL } from '../state/open';
import type { ActiveLeaseStore } from './lease-store';
import { MemoryActiveLeaseStore } from './memory-lease-store';
import { RedisActiveLeaseStore } from './redis-lease-store';

/** A one-active agent's lease store: Redis when a URL is given, else in-process (a warning says what that means). */
export function openActiveLeaseStore(redisUrl: string | undefined, logger: Logger): ActiveLeaseStore {
  if (redisUrl && redisUrl.trim() !== '') return RedisActiveLeaseStore.connect(redisUrl.trim(), logger);
  logger.warn({ store: 'activity' }, IN_PROCESS_LEASE_WARNING);
  return new MemoryActiveLeaseStore();
}

const IN_PROCESS_LEASE_WARNING = 'one-active agent without Redis: the active lease lives in this process, so instances in other processes are not kept apart';

/**
 * A one-active agent's lease store when the worker is given none: Redis when its idempotency store is Redis
 * (at $REDIS_URL, else redis://127.0.0.1:6379), so instances in other processes see the same lease;
 * in-process otherwise, which only keeps instances of this process apart (a warning says so).
 */
export function defaultActiveLeaseStore(idempotency: Pick<IdempotencyStore, 'kind'>, logger: Logger, env: NodeJS.ProcessEnv = process.env): ActiveLeaseStore {
  if (idempotency.kind !== 'redis') {
    logger.warn({ store: 'activity' }, IN_PROCESS_LEASE_WARNING);
    return new MemoryActiveLeaseStore();
  }
  const url = env.REDIS_URL?.trim() || DEFAULT_STATE_REDIS_URL;
  logger.info({ store: 'activity', redis: redactRedisUrl(url) }, 'active lease store: redis');
  return RedisActiveLeaseStore.connect(url, logger);
}
