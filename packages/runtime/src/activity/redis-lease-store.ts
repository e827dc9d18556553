import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { LuaScript, RedisSession, createRedisConnection, type RedisConnectionOptions } from '../redis/connection';
import { StoreCommandError } from '../redis/errors';
import { leaseValue, parseLeaseValue, type ActiveLeaseStore, type LeaseHolder, type StoreFence } from './lease-store';

export const DEFAULT_LEASE_KEY_PREFIX = 'mesh:active';

/**
 * Takes the lease if free, or renews it if this instance holds it. A new holder's fencing token is the
 * larger of the counter + 1 and Redis's clock in ms, so tokens keep growing even when Redis lost its data.
 * KEYS: lease, token counter. ARGV: instance id, ttl ms. Returns {1, token} or {0, holder value}.
 */
const ACQUIRE_SCRIPT = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local token, instance = string.match(current, '^(%d+) (.*)$')
  if instance == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, token}
  end
  return {0, current}
end
local token = redis.call('INCR', KEYS[2])
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if token < floor then
  token = floor
  redis.call('SET', KEYS[2], string.format('%d', token))
end
local value = string.format('%d', token) .. ' ' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
return {1, string.format('%d', token)}
`);

/** KEYS: lease. ARGV: the holder's value, ttl ms. 1 when renewed. */
const RENEW_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

/** KEYS: lease. ARGV: the holder's value. */
const RELEASE_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

export interface RedisActiveLeaseStoreOptions extends RedisConnectionOptions {
  /** Default `mesh:active`; the lease of an agent is `<prefix>:{<agent>}`, in the hash slot of its other keys. */
  keyPrefix?: string;
}

/** Active leases in Redis, one key per agent, written only by scripts that compare the holder first. */
export class RedisActiveLeaseStore implements ActiveLeaseStore {
  readonly kind = 'redis' as const;
  private readonly session: RedisSession;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisActiveLeaseStoreOptions & { ownsConnection: boolean },
  ) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_LEASE_KEY_PREFIX;
    this.session = new RedisSession(redis, 'activity', options.ownsConnection, options.connectTimeoutMs);
  }

  static connect(url: string, logger: Logger, options: RedisActiveLeaseStoreOptions = {}): RedisActiveLeaseStore {
    return new RedisActiveLeaseStore(createRedisConnection(url, 'activity', logger, options), { ...options, ownsConnection: true });
  }

  leaseKey(agent: string): string {
    return `${this.keyPrefix}:{${agent}}`;
  }

  async acquire(agent: string, instanceId: string, ttlMs: number): Promise<{ acquired: true; token: number } | { acquired: false; holder: LeaseHolder }> {
    const key = this.leaseKey(agent);
    const reply = await this.session.call('acquire', () => ACQUIRE_SCRIPT.run(this.redis, [key, `${key}:token`], [instanceId, Math.ceil(ttlMs)]));
    if (!Array.isArray(reply) || reply.length !== 2) throw new StoreCommandError('activity', 'acquire: unexpected reply from the lease script');
    const [won, detail] = reply as [number, string];
    if (won === 1) return { acquired: true, token: Number(detail) };
    const holder = parseLeaseValue(String(detail));
    if (!holder) throw new StoreCommandError('activity', `acquire: the lease ${key} holds an unreadable value`);
    return { acquired: false, holder };
  }

  async renew(agent: string, instanceId: string, token: number, ttlMs: number): Promise<boolean> {
    const reply = await this.session.call('renew', () => RENEW_SCRIPT.run(this.redis, [this.leaseKey(agent)], [leaseValue(instanceId, token), Math.ceil(ttlMs)]));
    return reply === 1;
  }

  async release(agent: string, instanceId: string, token: number): Promise<void> {
    await this.session.call('release', () => RELEASE_SCRIPT.run(this.redis, [this.leaseKey(agent)], [leaseValue(instanceId, token)]));
  }

  async holder(agent: string): Promise<LeaseHolder | undefined> {
    const value = await this.session.call('holder', () => this.redis.get(this.leaseKey(agent)));
    return value === null ? undefined : parseLeaseValue(value);
  }

  fence(agent: string, instanceId: string, token: number): StoreFence {
    return { leaseKey: this.leaseKey(agent), holder: leaseValue(instanceId, token) };
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
