import type { Logger } from 'pino';
import type { IdempotencyStore } from '../idempotency/store';
import { redactRedisUrl } from '../redis/connection';
import { LazyAgentStateStore } from './lazy-store';
import { MemoryAgentStateStore } from './memory-store';
import { RedisAgentStateStore, type RedisAgentStateStoreOptions } from './redis-store';
import type { AgentStateStore } from './store';

export interface OpenAgentStateStoreOptions extends RedisAgentStateStoreOptions {
  /** REDIS_URL; empty or absent means the in-process store. */
  redisUrl?: string;
  logger: Logger;
}

export const NO_REDIS_STATE_NOTICE = 'no REDIS_URL: agent state (ctx.state) lives in this process only; a restart starts it empty';

/** Where a worker looks for Redis when it has to find the state store itself (as `mesh run` does). */
export const DEFAULT_STATE_REDIS_URL = 'redis://127.0.0.1:6379';

/** Redis agent state when a URL is given; otherwise in-process state (one info line). */
export function openAgentStateStore(options: OpenAgentStateStoreOptions): AgentStateStore {
  const { redisUrl, logger, ...storeOptions } = options;
  if (redisUrl && redisUrl.trim() !== '') return RedisAgentStateStore.connect(redisUrl.trim(), logger, storeOptions);
  logger.info({ store: 'state' }, NO_REDIS_STATE_NOTICE);
  return new MemoryAgentStateStore(logger, storeOptions);
}

/**
 * A worker's state store when it is given none: Redis when its idempotency store is Redis (at
 * $REDIS_URL, else redis://127.0.0.1:6379: the worker is not told the idempotency store's URL),
 * connected on first use; in-process otherwise.
 */
export function defaultAgentStateStore(idempotency: Pick<IdempotencyStore, 'kind'>, logger: Logger, env: NodeJS.ProcessEnv = process.env): AgentStateStore {
  if (idempotency.kind !== 'redis') return new MemoryAgentStateStore(logger);
  const url = env.REDIS_URL?.trim() || DEFAULT_STATE_REDIS_URL;
  return new LazyAgentStateStore('redis', () => {
    logger.info({ store: 'state', redis: redactRedisUrl(url) }, 'agent state store: redis');
    return RedisAgentStateStore.connect(url, logger);
  });
}
