import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { LuaScript, RedisSession, createRedisConnection, type RedisConnectionOptions } from '../redis/connection';
import { StoreCommandError } from '../redis/errors';
import type { ClaimResult, HeldState, IdempotencyInspection, IdempotencyStore, Outcome, ReplayNote } from './store';
import { DONE_PREFIX, LEASE_PREFIX, assertPositiveMs, completionValue, decodeReplayNote, encodeReplayNote, heldStateOf, interpretHeldValue, newStoreIdentity, replayNoteKey } from './values';

export const DEFAULT_IDEMPOTENCY_KEY_PREFIX = 'mesh:idem';

/**
 * The scripts get a batch's event ids packed in two arguments, not one key each: their UTF-8 byte
 * lengths ("36,36,...") and the ids end to end (see packIds): ioredis's work per argument was most
 * of a batch call's CPU (BENCHMARKS.md). KEYS[1] is the
 * agent's key base, with the agent's hash tag, so every key built from it lives in its slot: on a
 * Redis Cluster the script runs on the node that owns them all.
 */
const KEYS_OF = `
local function keys_of(base, lengths, joined)
  local keys, at = {}, 1
  for length in string.gmatch(lengths, '%d+') do
    local n = tonumber(length)
    keys[#keys + 1] = base .. string.sub(joined, at, at + n - 1)
    at = at + n
  end
  return keys
end
`;

/**
 * Per key: keep a completion; keep another owner's live lease; renew our own
 * lease (a redelivery to the same instance); otherwise take the lease. A value
 * that is neither a lease nor a completion is overwritten by our lease.
 *
 * The reply is compact, because nearly every key of a batch ends up leased to
 * us: a flat array `[index, held, index, held, ...]` (0-based key indexes in
 * increasing order) of only the keys that hold something other than our lease
 * afterwards. Every key not listed holds our lease, i.e. is acquired.
 */
const CLAIM_SCRIPT = new LuaScript(`${KEYS_OF}
local lease = '${LEASE_PREFIX}' .. ARGV[1]
local others = {}
for i, key in ipairs(keys_of(KEYS[1], ARGV[3], ARGV[4])) do
  local current = redis.call('GET', key)
  if current == false or (string.sub(current, 1, ${LEASE_PREFIX.length}) ~= '${LEASE_PREFIX}' and string.sub(current, 1, ${DONE_PREFIX.length}) ~= '${DONE_PREFIX}') then
    redis.call('SET', key, lease, 'PX', ARGV[2])
  elseif current == lease then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    others[#others + 1] = i - 1
    others[#others + 1] = current
  end
end
return others
`);

/**
 * Writes completions: ARGV[1] is the TTL, ARGV[2] and ARGV[3] the packed ids,
 * then runs of `value, count` that cover the keys in order (consecutive keys
 * with the same outcome share a run, so a batch of one outcome is one run).
 * Returns how many keys it wrote. A failing SET aborts the script with an
 * error: the call rejects and nothing claims the batch is durable.
 */
const COMPLETE_SCRIPT = new LuaScript(`${KEYS_OF}
local ttl = ARGV[1]
local keys = keys_of(KEYS[1], ARGV[2], ARGV[3])
local written = 0
for a = 4, #ARGV, 2 do
  local value = ARGV[a]
  for _ = 1, tonumber(ARGV[a + 1]) do
    written = written + 1
    redis.call('SET', keys[written], value, 'PX', ttl)
  end
end
return written
`);

/** Deletes only the leases ARGV[1] holds: a lease that expired and was taken over belongs to someone else now. */
const RELEASE_SCRIPT = new LuaScript(`${KEYS_OF}
local lease = '${LEASE_PREFIX}' .. ARGV[1]
local released = 0
for _, key in ipairs(keys_of(KEYS[1], ARGV[2], ARGV[3])) do
  if redis.call('GET', key) == lease then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
`);

/** Deletes only completions: a live lease means someone is processing the event right now. */
const FORGET_SCRIPT = new LuaScript(`${KEYS_OF}
local forgotten = 0
for _, key in ipairs(keys_of(KEYS[1], ARGV[1], ARGV[2])) do
  local current = redis.call('GET', key)
  if current and string.sub(current, 1, ${DONE_PREFIX.length}) == '${DONE_PREFIX}' then
    redis.call('DEL', key)
    forgotten = forgotten + 1
  end
end
return forgotten
`);

/** Creates the store's identity unless it exists (SET NX), and returns the one the store holds. No TTL: it lives as long as the data. */
const IDENTITY_SCRIPT = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`);

/** Writes replay notes: ARGV[1] is the TTL, then pairs of key suffix and value, under KEYS[1] (the agent's note base). */
const NOTE_SCRIPT = new LuaScript(`
for a = 2, #ARGV, 2 do
  redis.call('SET', KEYS[1] .. ARGV[a], ARGV[a + 1], 'PX', ARGV[1])
end
return (#ARGV - 1) / 2
`);

/** A batch's ids as the scripts take them (see KEYS_OF): their UTF-8 byte lengths, comma-separated, and the ids end to end. */
function packIds(ids: readonly string[]): [lengths: string, joined: string] {
  const joined = ids.join('');
  // Ids are nearly always ASCII (UUIDs): then a char is a byte and no id needs measuring.
  const ascii = Buffer.byteLength(joined) === joined.length;
  let lengths = '';
  for (let index = 0; index < ids.length; index += 1) {
    const length = ascii ? ids[index]!.length : Buffer.byteLength(ids[index]!);
    lengths += index === 0 ? `${length}` : `,${length}`;
  }
  return [lengths, joined];
}

/** The answer for every id the claim script does not list: one shared, frozen object (callers only read results). */
const ACQUIRED: ClaimResult = Object.freeze({ state: 'acquired' as const });

/**
 * Checks the claim script's compact reply for a batch of `count` keys: pairs of
 * an in-range key index (strictly increasing) and the string that key holds.
 */
function checkClaimReply(reply: unknown, count: number): readonly unknown[] {
  const unexpected = () => new StoreCommandError('idempotency', 'claim: unexpected reply from the claim script');
  if (!Array.isArray(reply) || reply.length % 2 !== 0 || reply.length > 2 * count) throw unexpected();
  let previous = -1;
  for (let at = 0; at < reply.length; at += 2) {
    const index: unknown = reply[at];
    if (typeof index !== 'number' || !Number.isInteger(index) || index <= previous || index >= count || typeof reply[at + 1] !== 'string') {
      throw unexpected();
    }
    previous = index;
  }
  return reply as unknown[];
}

export interface RedisIdempotencyStoreOptions extends RedisConnectionOptions {
  /** Default `mesh:idem`; keys are `<prefix>:{<agent>}:<eventId>`. */
  keyPrefix?: string;
}

/**
 * The idempotency store on Redis. Every batch operation is one round trip: one
 * Lua script call with a small reply (claim and complete run once per consumed
 * batch of hundreds of ids, so per-id client work is what they cost). The agent
 * is the key's hash tag so that, on a Redis Cluster, one agent's keys share a
 * slot and a batch script is legal.
 */
export class RedisIdempotencyStore implements IdempotencyStore, IdempotencyInspection {
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
    return this.agentBase(agent) + eventId;
  }

  async claim(agent: string, eventIds: readonly string[], owner: string, leaseMs: number): Promise<Map<string, ClaimResult>> {
    assertPositiveMs('leaseMs', leaseMs);
    const results = new Map<string, ClaimResult>();
    const count = eventIds.length;
    if (count === 0) return results;
    const reply = await this.call('claim', () => CLAIM_SCRIPT.run(this.redis, [this.agentBase(agent)], [owner, leaseMs, ...packIds(eventIds)]));
    const others = checkClaimReply(reply, count);
    // Keys in the same order as the ids, so a repeated id ends with its last answer, as Map.set always did.
    let next = 0;
    for (let index = 0; index < count; index += 1) {
      if (next < others.length && others[next] === index) {
        results.set(eventIds[index]!, interpretHeldValue(others[next + 1] as string, owner));
        next += 2;
      } else {
        results.set(eventIds[index]!, ACQUIRED);
      }
    }
    return results;
  }

  async complete(agent: string, completions: ReadonlyArray<{ eventId: string; outcome: Outcome }>, ttlMs: number): Promise<void> {
    assertPositiveMs('ttlMs', ttlMs);
    const count = completions.length;
    if (count === 0) return;
    const ids = new Array<string>(count);
    const runs: Array<string | number> = [];
    let runOutcome = completions[0]!.outcome;
    let runLength = 0;
    for (let index = 0; index < count; index += 1) {
      const { eventId, outcome } = completions[index]!;
      ids[index] = eventId;
      if (outcome !== runOutcome) {
        runs.push(completionValue(runOutcome), runLength);
        runOutcome = outcome;
        runLength = 0;
      }
      runLength += 1;
    }
    runs.push(completionValue(runOutcome), runLength);
    // Any failing SET rejects the script (typed by this.call): the batch is durable or the call throws.
    const written = await this.call('complete', () => COMPLETE_SCRIPT.run(this.redis, [this.agentBase(agent)], [ttlMs, ...packIds(ids), ...runs]));
    if (written !== count) {
      throw new StoreCommandError('idempotency', `complete: unexpected reply from the complete script (${String(written)} of ${count} written)`);
    }
  }

  async release(agent: string, eventIds: readonly string[], owner: string): Promise<void> {
    if (eventIds.length === 0) return;
    await this.call('release', () => RELEASE_SCRIPT.run(this.redis, [this.agentBase(agent)], [owner, ...packIds(eventIds)]));
  }

  async forget(agent: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.call('forget', () => FORGET_SCRIPT.run(this.redis, [this.agentBase(agent)], packIds(eventIds)));
  }

  async ping(): Promise<void> {
    await this.call('ping', () => this.redis.ping());
  }

  async identity(): Promise<string> {
    const held = await this.call('identity', () => IDENTITY_SCRIPT.run(this.redis, [this.identityKey()], [newStoreIdentity('redis')]));
    if (typeof held !== 'string') throw new StoreCommandError('idempotency', 'identity: unexpected reply from the identity script');
    return held;
  }

  async existingIdentity(): Promise<string | null> {
    return this.call('identity', () => this.redis.get(this.identityKey()));
  }

  async peek(agent: string, eventIds: readonly string[]): Promise<Map<string, HeldState>> {
    const states = new Map<string, HeldState>();
    if (eventIds.length === 0) return states;
    // The agent's hash tag puts every key in one slot, so one MGET is legal on a Redis Cluster too.
    const values = await this.call('peek', () => this.redis.mget(eventIds.map((id) => this.keyOf(agent, id))));
    eventIds.forEach((id, index) => states.set(id, heldStateOf(values[index] ?? null)));
    return states;
  }

  async noteReplays(agent: string, notes: readonly ReplayNote[], ttlMs: number): Promise<void> {
    assertPositiveMs('ttlMs', ttlMs);
    if (notes.length === 0) return;
    const args = notes.flatMap((note) => [replayNoteKey(note), encodeReplayNote(note)]);
    await this.call('note replays', () => NOTE_SCRIPT.run(this.redis, [this.noteBase(agent)], [ttlMs, ...args]));
  }

  async replayNotes(agent: string, records: ReadonlyArray<{ partition: number; offset: string }>): Promise<Map<string, ReplayNote>> {
    const notes = new Map<string, ReplayNote>();
    if (records.length === 0) return notes;
    const values = await this.call('replay notes', () => this.redis.mget(records.map((r) => this.noteBase(agent) + replayNoteKey(r))));
    records.forEach((record, index) => {
      const note = decodeReplayNote(record, values[index] ?? null);
      if (note !== undefined) notes.set(replayNoteKey(record), note);
    });
    return notes;
  }

  close(): Promise<void> {
    return this.session.close();
  }

  /** What every key of the agent starts with: `<prefix>:{<agent>}:` (keyOf is this plus the event id). */
  private agentBase(agent: string): string {
    return `${this.keyPrefix}:{${agent}}:`;
  }

  /** `<prefix>:store-id`: one per Redis (database) and prefix, never an event's key (those continue with `{`). */
  private identityKey(): string {
    return `${this.keyPrefix}:store-id`;
  }

  /** `<prefix>:replayed:{<agent>}:`, then `<partition>@<offset>` of the DLQ record: in the agent's slot, apart from its event keys. */
  private noteBase(agent: string): string {
    return `${this.keyPrefix}:replayed:{${agent}}:`;
  }

  /** Waits (bounded) for a connection in progress, runs the operation, and types whatever it throws. */
  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.session.call(operation, run);
  }
}
