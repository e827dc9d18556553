import type Redis from 'ioredis';
import type { StoreFence } from '../activity/lease-store';
import { FENCE_CHECK_LUA, withFence } from '../activity/store-fence';
import type { Logger } from 'pino';
import { LuaScript, RedisSession, createRedisConnection, type RedisConnectionOptions } from '../redis/connection';
import { StoreCommandError } from '../redis/errors';
import { STATE_STORE_NAME, type StateBackend } from './backend';
import { agentStatePattern, DEFAULT_STATE_KEY_PREFIX, stateKeyFromRedisKey, stateRedisKey } from './keys';
import type { NewStateVersion, StoredStateVersion } from './record';
import type { AgentStateStoreOptions } from './store';
import { VersionedAgentStateStore } from './versioned-store';

/** Field of the version counter; versions live in fields `v:<n>`. */
const SEQUENCE_FIELD = 'seq';
const VERSION_FIELD = /^v:(\d+)$/;
const SCAN_COUNT = 500;

/**
 * Allocates the next version atomically, writes the record text encodeStateRecord would (ARGV[2] is
 * the state JSON already encoded as a JSON string literal), and drops every version at or below
 * `version - keepVersions`. Never touches a kept version.
 * ARGV: sha256, state literal, savedAt, keepVersions, restoredFrom ('' for a plain save), then the fence's (FENCE_CHECK_LUA).
 */
const APPEND_SCRIPT = new LuaScript(`${FENCE_CHECK_LUA}
local version = redis.call('HINCRBY', KEYS[1], '${SEQUENCE_FIELD}', 1)
local record = '{"version":' .. version .. ',"savedAt":' .. ARGV[3] .. ',"sha256":"' .. ARGV[1] .. '","state":' .. ARGV[2]
if ARGV[5] ~= '' then
  record = record .. ',"restoredFrom":' .. ARGV[5]
end
redis.call('HSET', KEYS[1], 'v:' .. version, record .. '}')
local oldest = version - tonumber(ARGV[4])
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local n = string.match(field, '^v:(%d+)$')
  if n and tonumber(n) <= oldest then
    redis.call('HDEL', KEYS[1], field)
  end
end
return version
`);

export interface RedisAgentStateStoreOptions extends AgentStateStoreOptions, RedisConnectionOptions {
  /** Default `mesh:state`; one hash per (agent, key) at `<prefix>:{<agent>}:<key>`. */
  keyPrefix?: string;
}

/** State records in Redis: one hash per (agent, key) holding a version counter and the kept versions. */
export class RedisStateBackend implements StateBackend {
  readonly kind = 'redis' as const;
  private readonly session: RedisSession;

  constructor(
    private readonly redis: Redis,
    readonly keyPrefix: string,
    ownsConnection: boolean,
    connectTimeoutMs?: number,
  ) {
    this.session = new RedisSession(redis, STATE_STORE_NAME, ownsConnection, connectTimeoutMs);
  }

  keyOf(agent: string, key: string): string {
    return stateRedisKey(this.keyPrefix, agent, key);
  }

  async append(agent: string, key: string, entry: NewStateVersion, keepVersions: number, fence?: StoreFence): Promise<number> {
    const args = [entry.sha256, JSON.stringify(entry.stateJson), entry.savedAt, keepVersions, entry.restoredFrom ?? ''];
    const call = withFence([this.keyOf(agent, key)], args, fence);
    const version = await this.session.call('save', () => APPEND_SCRIPT.run(this.redis, call.keys, call.args));
    if (typeof version !== 'number') throw new StoreCommandError(STATE_STORE_NAME, 'save: unexpected reply from the state save script');
    return version;
  }

  async readAll(agent: string, key: string): Promise<StoredStateVersion[]> {
    const fields = await this.session.call('load', () => this.redis.hgetall(this.keyOf(agent, key)));
    const versions: StoredStateVersion[] = [];
    for (const [field, record] of Object.entries(fields)) {
      const match = VERSION_FIELD.exec(field);
      if (match) versions.push({ version: Number(match[1]), record });
    }
    return versions;
  }

  async readOne(agent: string, key: string, version: number): Promise<string | undefined> {
    const record = await this.session.call('load', () => this.redis.hget(this.keyOf(agent, key), `v:${version}`));
    return record ?? undefined;
  }

  async keys(agent: string): Promise<string[]> {
    const pattern = agentStatePattern(this.keyPrefix, agent);
    return this.session.call('keys', async () => {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        for (const redisKey of batch) {
          const key = stateKeyFromRedisKey(this.keyPrefix, agent, redisKey);
          if (key !== undefined) found.add(key);
        }
        cursor = next;
      } while (cursor !== '0');
      return [...found];
    });
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Agent state in Redis, at `mesh:state:{<agent>}:<key>` by default. */
export class RedisAgentStateStore extends VersionedAgentStateStore {
  private readonly storage: RedisStateBackend;

  /** Use `connect` unless you share a connection; a shared one is not closed by `close()`. */
  constructor(redis: Redis, logger: Logger, options: RedisAgentStateStoreOptions & { ownsConnection: boolean }) {
    const storage = new RedisStateBackend(redis, options.keyPrefix ?? DEFAULT_STATE_KEY_PREFIX, options.ownsConnection, options.connectTimeoutMs);
    super(storage, logger, options);
    this.storage = storage;
  }

  static connect(url: string, logger: Logger, options: RedisAgentStateStoreOptions = {}): RedisAgentStateStore {
    return new RedisAgentStateStore(createRedisConnection(url, STATE_STORE_NAME, logger, options), logger, { ...options, ownsConnection: true });
  }

  /** The Redis key (a hash) of one key of an agent's state. */
  keyOf(agent: string, key: string): string {
    return this.storage.keyOf(agent, key);
  }
}
