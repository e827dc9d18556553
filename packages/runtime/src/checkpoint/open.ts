import type { Logger } from 'pino';
import { MemoryCheckpointStore } from './memory-checkpoint-store';
import { RedisCheckpointStore, type RedisCheckpointStoreOptions } from './redis-checkpoint-store';
import type { CheckpointStore } from './store';

export interface OpenCheckpointStoreOptions extends RedisCheckpointStoreOptions {
  /** REDIS_URL; empty or absent means the in-process store. */
  redisUrl?: string;
  logger: Logger;
}

export const NO_REDIS_CHECKPOINT_NOTICE = 'no REDIS_URL: checkpoints live in this process only; a restart starts long handlers over';

/** Redis checkpoints when a URL is given; otherwise in-process ones (one info line: the idempotency store already warns). */
export function openCheckpointStore(options: OpenCheckpointStoreOptions): CheckpointStore {
  const { redisUrl, logger, ...storeOptions } = options;
  if (redisUrl && redisUrl.trim() !== '') return RedisCheckpointStore.connect(redisUrl.trim(), logger, storeOptions);
  logger.info({ store: 'checkpoint' }, NO_REDIS_CHECKPOINT_NOTICE);
  return new MemoryCheckpointStore(logger, storeOptions);
}
