import type Redis from 'ioredis';
import type { Logger } from 'pino';
import {
  LuaScript,
  RedisSession,
  createRedisConnection,
  toStoreError,
  type RedisConnectionOptions,
} from '../redis/connection';
import { StoreCommandError } from '../redis/errors';
import type { ClaimResult, IdempotencyStore, Outcome } from './store';
import { DONE_PREFIX, LEASE_PREFIX, assertPositiveMs, completionValue, interpretHeldValue } from './values';

export const DEFAULT_IDEMPOTENCY_KEY_PREFIX = 'mesh:idem';

/**
 * Per key: keep a completion; keep another owner's live lease; renew our own
 * lease (a redelivery to the same instance); otherwise take the lease. Returns
 * what each key holds afterwards, so one reply answers the whole batch.
 */
const CLAIM_SCRIPT = new LuaScript(`
local lease = '${LEASE_PREFIX}' .. ARGV[1]
local held = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == false or (string.sub(current, 1, ${LEASE_PREFIX.length}) ~= '${LEASE_PREFIX}' and string.sub(current, 1, ${DONE_PREFIX.length}) ~= '${DONE_PREFIX}') then
    redis.call('SET', key, lease, 'PX', ARGV[2])
    current = lease
  elseif current == lease then
    redis.call('PEXPIRE', key, ARGV[2])
  end
  held[i] = current
end
return held
`);

/** Deletes only the leases ARGV[1] holds: a lease that expired and was taken over belongs to someone else now. */
const RELEASE_SCRIPT = new LuaScript(`
local lease = '${LEASE_PREFIX}' .. ARGV[1]
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == lease then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
`);

/** Deletes only completions: a live lease means someone is processing the event right now. */
const FORGET_SCRIPT = new LuaScript(`
local forgotten = 0
for _, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and string.sub(current, 1, ${DONE_PREFIX.length}) == '${DONE_PREFIX}' then
    redis.call('DEL', key)
    forgotten = forgotten + 1
  end
end
return forgotten
`);

export interface RedisIdempotencyStoreOptions extends RedisConnectionOptions {
  /** Default `mesh:idem`; keys are `<prefix>:{<agent>}:<eventId>`. */
  keyPrefix?: string;
}

/**
 * The idempotency store on Redis. Every batch operation is one round trip (a
 * Lua script or a pipeline). The agent is the key's hash tag so that, on a
 * Redis Cluster, one agent's keys share a slot and a batch script is legal.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly kind = 'redis' as const;
  private readonly keyPrefix: string;
  private readonly session: RedisSession;

  /** Use `connect` unless you share a connection; a shared one is not closed by `close()`. */
  constructor(
    private readonly redis: Redis,
    options: RedisIdempotencyStoreOptions & { ownsConnection: boolean },
  ) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_IDEMPOTENCY_KEY_PREFIX;
    this.session = new RedisSession(redis, 'idempotency', options.ownsConnection, options.connectTimeoutMs);
  }

  /** Opens a fail-fast connection (see createRedisConnection) that this store owns. */
  static connect(url: string, logger: Logger, options: RedisIdempotencyStoreOptions = {}): RedisIdempotencyStore {
    return new RedisIdempotencyStore(createRedisConnection(url, 'idempotency', logger, options), { ...options, ownsConnection: true });
  }

  /** The Redis key of one event of one agent. */
  keyOf(agent: string, eventId: string): string {
    return `${this.keyPrefix}:{${agent}}:${eventId}`;
  }

  async claim(agent: string, eventIds: readonly string[], owner: string, leaseMs: number): Promise<Map<string, ClaimResult>> {
    assertPositiveMs('leaseMs', leaseMs);
    const results = new Map<string, ClaimResult>();
    if (eventIds.length === 0) return results;
    const keys = eventIds.map((id) => this.keyOf(agent, id));
    const held = await this.call('claim', () => CLAIM_SCRIPT.run(this.redis, keys, [owner, leaseMs]));
    if (!Array.isArray(held) || held.length !== eventIds.length) {
      throw new StoreCommandError('idempotency', `claim: unexpected reply from the claim script`);
    }
    eventIds.forEach((id, index) => results.set(id, interpretHeldValue(String(held[index]), owner)));
    return results;
  }

  async complete(agent: string, completions: ReadonlyArray<{ eventId: string; outcome: Outcome }>, ttlMs: number): Promise<void> {
    assertPositiveMs('ttlMs', ttlMs);
    if (completions.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { eventId, outcome } of completions) pipeline.set(this.keyOf(agent, eventId), completionValue(outcome), 'PX', ttlMs);
    const replies = await this.call('complete', () => pipeline.exec());
    // A pipeline resolves even when single commands fail; any failure means the batch is not durable.
    const failed = replies?.find(([error]) => error !== null)?.[0];
    if (!replies || failed) throw toStoreError(failed ?? new Error('pipeline discarded'), 'idempotency', 'complete');
  }

  async release(agent: string, eventIds: readonly string[], owner: string): Promise<void> {
    if (eventIds.length === 0) return;
    const keys = eventIds.map((id) => this.keyOf(agent, id));
    await this.call('release', () => RELEASE_SCRIPT.run(this.redis, keys, [owner]));
  }

  async forget(agent: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const keys = eventIds.map((id) => this.keyOf(agent, id));
    await this.call('forget', () => FORGET_SCRIPT.run(this.redis, keys, []));
  }

  async ping(): Promise<void> {
    await this.call('ping', () => this.redis.ping());
  }

  close(): Promise<void> {
    return this.session.close();
  }

  /** Waits (bounded) for a connection in progress, runs the operation, and types whatever it throws. */
  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.session.call(operation, run);
  }
}
