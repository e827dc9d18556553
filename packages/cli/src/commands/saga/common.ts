import { SagaNotFoundError, SagaStateError, SagaStore } from '@agentmesh/coordinator';
import { createLogger, StoreError } from '@agentmesh/runtime';
import { redactRedisUrl } from '@agentmesh/runtime/internal';
import type { Command } from 'commander';
import { endpoint } from '../../defaults';

/** The saga store's default key prefix (the coordinator's). */
export const DEFAULT_KEY_PREFIX = 'mesh:saga:';

export const REDIS_HELP = 'Redis holding the saga state (default: $REDIS_URL or redis://127.0.0.1:6379)';
export const KEY_PREFIX_HELP = `Redis key prefix of the saga store (the coordinator's --key-prefix; default ${DEFAULT_KEY_PREFIX})`;

export interface StoreFlags {
  redis?: string;
  keyPrefix?: string;
}

/** Adds --redis and --key-prefix, which every saga command takes. */
export function withStoreOptions(command: Command): Command {
  return command.option('--redis <url>', REDIS_HELP).option('--key-prefix <prefix>', KEY_PREFIX_HELP);
}

export function redisUrlOf(flags: StoreFlags): string {
  return flags.redis ?? endpoint('REDIS_URL');
}

/** Saga-store failures a command can explain in one line: Redis away, no such saga, not allowed in its status. */
export class SagaCommandError extends Error {
  override readonly name = 'SagaCommandError';
}

/**
 * Runs `work` with a saga store on the flags' Redis and prefix, closed afterwards.
 * A Redis failure becomes one line naming the (redacted) URL and the flag.
 */
export async function withStore<T>(flags: StoreFlags, work: (store: SagaStore) => Promise<T>): Promise<T> {
  const url = redisUrlOf(flags);
  const explain = (error: unknown): unknown => {
    if (error instanceof StoreError) return new SagaCommandError(`saga store at ${redactRedisUrl(url)}: ${error.message} (set it with --redis or REDIS_URL)`, { cause: error });
    if (error instanceof SagaNotFoundError || error instanceof SagaStateError) return new SagaCommandError(error.message);
    return error;
  };
  let store: SagaStore;
  try {
    // The connection's own warnings would interleave with the command's output: the error says it all.
    store = SagaStore.connect(url, createLogger({ name: 'mesh-saga', level: 'silent' }), { keyPrefix: flags.keyPrefix ?? DEFAULT_KEY_PREFIX });
  } catch (error) {
    throw explain(error);
  }
  try {
    return await work(store);
  } catch (error) {
    throw explain(error);
  } finally {
    await store.close();
  }
}
