import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { FENCED_REPLY, FencedError } from '../activity/lease-store';
import { redactRedisUrl } from './redact-url';
import { StoreCommandError, StoreConfigError, StoreError, StoreUnavailableError, type StoreName } from './errors';

/**
 * How a store's Redis connection behaves when Redis is away. Every operation
 * fails within about connectTimeoutMs + commandTimeoutMs (at once when the
 * connection is known to be down), while the client keeps reconnecting in the
 * background with a delay capped at maxReconnectDelayMs.
 */
export interface RedisConnectionOptions {
  /** Bound on one TCP connect + ready check. Default 2000. */
  connectTimeoutMs?: number;
  /** Bound on one command's reply. Default 2000. */
  commandTimeoutMs?: number;
  /** Cap of the background reconnect back-off. Default 2000. */
  maxReconnectDelayMs?: number;
}

export const DEFAULT_REDIS_CONNECTION_OPTIONS: Readonly<Required<RedisConnectionOptions>> = {
  connectTimeoutMs: 2000,
  commandTimeoutMs: 2000,
  maxReconnectDelayMs: 2000,
};

export { redactRedisUrl } from './redact-url';

/** Reconnect delays: 100 ms doubling to the cap, forever (the worker stays paused, not dead, while Redis is away). */
export function reconnectDelayMs(attempt: number, maxDelayMs: number): number {
  return Math.min(100 * 2 ** Math.min(Math.max(attempt - 1, 0), 16), maxDelayMs);
}

/**
 * A Redis connection that fails fast: no offline queue (a command while
 * disconnected is rejected at once instead of waiting for a reconnect that may
 * never come), in-flight commands are failed when the socket closes rather than
 * silently re-sent later, and every command has a reply deadline.
 */
export function createRedisConnection(url: string, store: StoreName, logger: Logger, options: RedisConnectionOptions = {}): Redis {
  const settings: Required<RedisConnectionOptions> = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_REDIS_CONNECTION_OPTIONS.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_REDIS_CONNECTION_OPTIONS.commandTimeoutMs,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? DEFAULT_REDIS_CONNECTION_OPTIONS.maxReconnectDelayMs,
  };
  const target = redactRedisUrl(url);
  let redis: Redis;
  try {
    redis = new Redis(url, {
      connectionName: `agentmesh-${store}`,
      connectTimeout: settings.connectTimeoutMs,
      commandTimeout: settings.commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Commands issued in the same tick (a batch's claims, sagas driven side by side) go out in one write.
      enableAutoPipelining: true,
      retryStrategy: (attempt) => reconnectDelayMs(attempt, settings.maxReconnectDelayMs),
      // ioredis arms this timer even when the socket is already gone; short, so closing never holds the process up.
      disconnectTimeout: 500,
    });
  } catch {
    // The parser's error may quote the URL, password included: do not chain it.
    throw new StoreConfigError(store, `cannot use Redis URL ${target}`);
  }

  // Log transitions only: a reconnect loop emits an error every attempt.
  let reachable: boolean | undefined;
  const lost = (detail: { message: string; code?: string } | undefined) => {
    if (reachable !== false) {
      logger.warn({ store, redis: target, error: detail }, 'redis unreachable; reconnecting in the background');
    }
    reachable = false;
  };
  redis.on('ready', () => {
    if (reachable === false) logger.info({ store, redis: target }, 'redis reachable again');
    reachable = true;
  });
  redis.on('error', (error: Error & { code?: string }) => lost({ message: error.message, code: error.code }));
  // A server that goes away cleanly closes the socket without an error; 'end' status means we closed it ourselves.
  redis.on('close', () => {
    if (redis.status !== 'end') lost(undefined);
  });
  return redis;
}

/**
 * Resolves when the connection can take a command. A connect attempt in
 * progress (start-up, or a reconnect under way) is waited for, within timeoutMs;
 * a connection known to be down rejects at once.
 */
export function ensureRedisReady(redis: Redis, store: StoreName, timeoutMs: number): Promise<void> {
  const status = redis.status;
  if (status === 'ready') return Promise.resolve();
  if (status === 'end') return Promise.reject(new StoreUnavailableError(store, 'the store is closed'));
  if (status !== 'connecting' && status !== 'connect') {
    return Promise.reject(new StoreUnavailableError(store, `redis is not connected (${status})`));
  }
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreUnavailableError(store, `redis not ready within ${timeoutMs} ms`)), timeoutMs);
    void connectionOutcome(redis).then((outcome) => {
      clearTimeout(timer);
      if (outcome === 'ready') resolve();
      else reject(new StoreUnavailableError(store, 'redis connection closed before it was ready'));
    });
  });
}

/** One wait per connection attempt, however many calls wait on it (one listener pair, not one per call). */
const attempts = new WeakMap<Redis, Promise<'ready' | 'closed'>>();

function connectionOutcome(redis: Redis): Promise<'ready' | 'closed'> {
  let outcome = attempts.get(redis);
  if (outcome) return outcome;
  outcome = new Promise((resolve) => {
    const finish = (result: 'ready' | 'closed') => {
      redis.off('ready', onReady);
      redis.off('close', onClose);
      attempts.delete(redis);
      resolve(result);
    };
    const onReady = () => finish('ready');
    const onClose = () => finish('closed');
    redis.on('ready', onReady);
    redis.on('close', onClose);
  });
  attempts.set(redis, outcome);
  return outcome;
}

/** Replies that mean "not now" rather than "never": the store is unavailable, not broken. */
const UNAVAILABLE_REPLIES = ['LOADING', 'READONLY', 'MASTERDOWN', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'NOREPLICAS'];

/** Turns whatever ioredis threw into one of our typed store errors. */
export function toStoreError(error: unknown, store: StoreName, operation: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const isReply = error instanceof Error && error.name === 'ReplyError';
  if (isReply && message.startsWith(FENCED_REPLY)) return new FencedError(store, `${operation}: ${message}`);
  if (isReply && !UNAVAILABLE_REPLIES.some((prefix) => message.startsWith(prefix))) {
    return new StoreCommandError(store, `${operation}: redis replied ${message}`, { cause: error });
  }
  return new StoreUnavailableError(store, `${operation}: ${message}`, { cause: error });
}

/** A Lua script run by its SHA-1 (one round trip), loaded on the fly when Redis does not know it yet. */
export class LuaScript {
  readonly sha1: string;
  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (error) {
      // After a Redis restart the script cache is empty: one extra round trip, once.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}

/** Quits politely when connected, else drops the socket; stops reconnecting either way. Bounded by about timeoutMs. */
export async function closeRedisConnection(redis: Redis, timeoutMs = DEFAULT_REDIS_CONNECTION_OPTIONS.commandTimeoutMs): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready' && redis.status !== 'connecting' && redis.status !== 'connect') {
    // No socket to wait for (between reconnect attempts): cancelling the next attempt is all there is to do.
    redis.disconnect(false);
    return;
  }
  const ended = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    redis.once('end', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (redis.status === 'ready') {
    try {
      await redis.quit(); // bounded by commandTimeout
    } catch {
      // Fall through: disconnect below ends it regardless.
    }
  }
  redis.disconnect(false);
  await ended;
}

/**
 * One store's use of a Redis connection: every operation waits (bounded) for a connection in
 * progress and has its failures typed; closing stops further use and closes the connection only
 * when the store owns it. Shared by the idempotency, checkpoint and ordering stores.
 */
export class RedisSession {
  private closed = false;

  constructor(
    readonly redis: Redis,
    private readonly store: StoreName,
    private readonly ownsConnection: boolean,
    private readonly readyTimeoutMs: number = DEFAULT_REDIS_CONNECTION_OPTIONS.connectTimeoutMs,
  ) {}

  async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(this.store, 'the store is closed');
    try {
      await ensureRedisReady(this.redis, this.store, this.readyTimeoutMs);
      return await run();
    } catch (error) {
      throw toStoreError(error, this.store, operation);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ownsConnection) await closeRedisConnection(this.redis);
  }
}
