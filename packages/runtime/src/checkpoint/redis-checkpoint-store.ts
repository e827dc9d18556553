import type Redis from 'ioredis';
import type { StoreFence } from '../activity/lease-store';
import { FENCE_CHECK_LUA, withFence } from '../activity/store-fence';
import type { Logger } from 'pino';
import { LuaScript, RedisSession, createRedisConnection, type RedisConnectionOptions } from '../redis/connection';
import { StoreCommandError } from '../redis/errors';
import { pickLatestValid, serializeCheckpointState, sha256Hex, warnAboutSkippedVersions, type StoredCheckpointVersion } from './record';
import { resolveCheckpointOptions, type CheckpointStore, type CheckpointStoreOptions, type LoadedCheckpoint } from './store';

export const DEFAULT_CHECKPOINT_KEY_PREFIX = 'mesh:ckpt';

/** Field of the version counter; versions live in fields `v:<n>`. */
const SEQUENCE_FIELD = 'seq';
const VERSION_FIELD = /^v:(\d+)$/;

/**
 * Allocates the next version atomically (two instances may briefly both think
 * they hold an event after a lease expiry), writes the record text that
 * encodeCheckpointRecord would (ARGV[2] is the state JSON already encoded as a
 * JSON string literal), drops the version that falls out of the kept window,
 * and restarts the TTL.
 * ARGV: sha256, state literal, keepVersions, ttlMs (then the fence's, see FENCE_CHECK_LUA).
 */
const SAVE_SCRIPT = new LuaScript(`${FENCE_CHECK_LUA}
local version = redis.call('HINCRBY', KEYS[1], '${SEQUENCE_FIELD}', 1)
local record = '{"version":' .. version .. ',"sha256":"' .. ARGV[1] .. '","state":' .. ARGV[2] .. '}'
redis.call('HSET', KEYS[1], 'v:' .. version, record)
local dropped = version - tonumber(ARGV[3])
if dropped > 0 then
  redis.call('HDEL', KEYS[1], 'v:' .. dropped)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return version
`);

export interface RedisCheckpointStoreOptions extends CheckpointStoreOptions, RedisConnectionOptions {
  /** Default `mesh:ckpt`; one hash per event at `<prefix>:{<agent>}:<eventId>`. */
  keyPrefix?: string;
}

/** Checkpoints in Redis: one hash per (agent, event) holding a version counter and the last few versions. */
export class RedisCheckpointStore implements CheckpointStore {
  readonly kind = 'redis' as const;
  private readonly keyPrefix: string;
  private readonly session: RedisSession;
  private readonly settings: Required<CheckpointStoreOptions>;

  /** Use `connect` unless you share a connection; a shared one is not closed by `close()`. */
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    options: RedisCheckpointStoreOptions & { ownsConnection: boolean },
  ) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_CHECKPOINT_KEY_PREFIX;
    this.session = new RedisSession(redis, 'checkpoint', options.ownsConnection, options.connectTimeoutMs);
    this.settings = resolveCheckpointOptions(options);
  }

  static connect(url: string, logger: Logger, options: RedisCheckpointStoreOptions = {}): RedisCheckpointStore {
    return new RedisCheckpointStore(createRedisConnection(url, 'checkpoint', logger, options), logger, { ...options, ownsConnection: true });
  }

  keyOf(agent: string, eventId: string): string {
    return `${this.keyPrefix}:{${agent}}:${eventId}`;
  }

  async load(agent: string, eventId: string, logger: Logger = this.logger): Promise<LoadedCheckpoint | undefined> {
    const fields = await this.call('load', () => this.redis.hgetall(this.keyOf(agent, eventId)));
    return this.latestOf(agent, eventId, fields, logger);
  }

  async loadMany(agent: string, eventIds: readonly string[], logger: Logger = this.logger): Promise<Map<string, LoadedCheckpoint | undefined>> {
    const loaded = new Map<string, LoadedCheckpoint | undefined>();
    if (eventIds.length === 0) return loaded;
    const replies = await this.call('load', () => {
      const pipeline = this.redis.pipeline();
      for (const eventId of eventIds) pipeline.hgetall(this.keyOf(agent, eventId));
      return pipeline.exec();
    });
    eventIds.forEach((eventId, i) => {
      const [error, fields] = replies?.[i] ?? [new StoreCommandError('checkpoint', 'load: no reply in the pipeline'), undefined];
      if (error) throw error;
      loaded.set(eventId, this.latestOf(agent, eventId, fields as Record<string, string>, logger));
    });
    return loaded;
  }

  private latestOf(agent: string, eventId: string, fields: Record<string, string>, logger: Logger): LoadedCheckpoint | undefined {
    const versions: StoredCheckpointVersion[] = [];
    for (const [field, record] of Object.entries(fields)) {
      const match = VERSION_FIELD.exec(field);
      if (match) versions.push({ version: Number(match[1]), record });
    }
    const pick = pickLatestValid(versions);
    warnAboutSkippedVersions(logger, agent, eventId, pick);
    return pick.latest;
  }

  async save(agent: string, eventId: string, state: unknown, fence?: StoreFence): Promise<number> {
    const stateJson = serializeCheckpointState(state, this.settings.maxStateBytes);
    const args = [sha256Hex(stateJson), JSON.stringify(stateJson), this.settings.keepVersions, this.settings.ttlMs];
    const call = withFence([this.keyOf(agent, eventId)], args, fence);
    const version = await this.call('save', () => SAVE_SCRIPT.run(this.redis, call.keys, call.args));
    if (typeof version !== 'number') throw new StoreCommandError('checkpoint', 'save: unexpected reply from the save script');
    return version;
  }

  async clear(agent: string, eventId: string): Promise<void> {
    await this.call('clear', () => this.redis.del(this.keyOf(agent, eventId)));
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.session.call(operation, run);
  }
}
