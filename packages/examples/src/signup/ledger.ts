import { createLogger } from '@agentmesh/runtime';
import { createRedisConnection, LuaScript, RedisSession } from '@agentmesh/runtime/internal';

/**
 * The effects the signup participants take, written down per saga so the
 * demo and the tests can check them from another process: what was made and
 * undone, in order, and how often a participant was asked again for something
 * it had already done (a step retried after a timeout).
 *
 * The ledger also plays the systems behind the participants: an effect on a
 * subject (a user id, a subscription id, an email's message id) is taken once
 * per saga, as a user store, a billing system or an email provider with an
 * idempotency key would; asking again is refused and counted as a repeat.
 */

export const SIGNUP_EFFECTS = ['user.created', 'subscription.created', 'email.sent', 'subscription.cancelled', 'user.deleted'] as const;
export type SignupEffect = (typeof SIGNUP_EFFECTS)[number];

export interface SagaEffects {
  /** Effects in the order they were taken. */
  log: SignupEffect[];
  counts: Record<SignupEffect, number>;
  /** Requests for an effect already taken on the same subject: refused, counted. */
  repeats: number;
}

export interface SignupLedger {
  /** Takes `effect` on `subject` for the saga, once: false (and a repeat counted) when it was taken before. */
  record(sagaId: string, effect: SignupEffect, subject: string): Promise<boolean>;
  /** The effects of each saga; a saga with none reads as an empty log. */
  read(sagaIds: readonly string[]): Promise<Map<string, SagaEffects>>;
  close(): Promise<void>;
}

export function emptyEffects(): SagaEffects {
  return { log: [], counts: Object.fromEntries(SIGNUP_EFFECTS.map((e) => [e, 0])) as Record<SignupEffect, number>, repeats: 0 };
}

/** The effects of a log taken in this order (for checks and their tests). */
export function effectsOf(log: readonly SignupEffect[], repeats = 0): SagaEffects {
  const effects = emptyEffects();
  for (const entry of log) {
    effects.log.push(entry);
    effects.counts[entry]++;
  }
  effects.repeats = repeats;
  return effects;
}

function isEffect(value: string): value is SignupEffect {
  return (SIGNUP_EFFECTS as readonly string[]).includes(value);
}

/** The ledger in this process: for tests and for participants run in-process. */
export class MemorySignupLedger implements SignupLedger {
  private readonly sagas = new Map<string, { effects: SagaEffects; taken: Set<string> }>();

  async record(sagaId: string, effect: SignupEffect, subject: string): Promise<boolean> {
    let saga = this.sagas.get(sagaId);
    if (!saga) this.sagas.set(sagaId, (saga = { effects: emptyEffects(), taken: new Set() }));
    const marker = `${effect}\u0000${subject}`;
    if (saga.taken.has(marker)) {
      saga.effects.repeats++;
      return false;
    }
    saga.taken.add(marker);
    saga.effects.log.push(effect);
    saga.effects.counts[effect]++;
    return true;
  }

  async read(sagaIds: readonly string[]): Promise<Map<string, SagaEffects>> {
    return new Map(sagaIds.map((id) => [id, structuredClone(this.sagas.get(id)?.effects ?? emptyEffects())]));
  }

  async close(): Promise<void> {}
}

// KEYS: the saga's hash (count:<effect>, once:<effect>:<subject>, repeats), its log (a list). ARGV: effect, subject, ttl ms.
const RECORD_EFFECT = new LuaScript(`
if redis.call('HSETNX', KEYS[1], 'once:' .. ARGV[1] .. ':' .. ARGV[2], 1) == 0 then
  redis.call('HINCRBY', KEYS[1], 'repeats', 1)
  return 0
end
redis.call('HINCRBY', KEYS[1], 'count:' .. ARGV[1], 1)
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`);

type LedgerLogger = Parameters<typeof createRedisConnection>[2];

export interface RedisSignupLedgerOptions {
  /** Keys are `<prefix><sagaId>` (a hash) and `<prefix><sagaId>:log` (a list). Default `mesh:signup:ledger:`. */
  keyPrefix?: string;
  /** How long a saga's entries are kept after its last effect. Default one day. */
  ttlMs?: number;
  logger?: LedgerLogger;
}

export const DEFAULT_LEDGER_PREFIX = 'mesh:signup:ledger:';
const DEFAULT_LEDGER_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The ledger in Redis: one hash per saga (HINCRBY per effect, a marker per
 * effect and subject) and one list (the order). Connects on first use, so a
 * participant module can create it at load without touching the network.
 */
export class RedisSignupLedger implements SignupLedger {
  readonly keyPrefix: string;
  private readonly ttlMs: number;
  private session: RedisSession | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly options: RedisSignupLedgerOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? DEFAULT_LEDGER_PREFIX;
    this.ttlMs = options.ttlMs ?? DEFAULT_LEDGER_TTL_MS;
  }

  private redis(): RedisSession {
    this.session ??= new RedisSession(createRedisConnection(this.redisUrl, 'saga', this.options.logger ?? createLogger({ name: 'signup-ledger' })), 'saga', true);
    return this.session;
  }

  async record(sagaId: string, effect: SignupEffect, subject: string): Promise<boolean> {
    const session = this.redis();
    const taken = await session.call('record effect', () => RECORD_EFFECT.run(session.redis, [`${this.keyPrefix}${sagaId}`, `${this.keyPrefix}${sagaId}:log`], [effect, subject, this.ttlMs]));
    return taken === 1;
  }

  async read(sagaIds: readonly string[]): Promise<Map<string, SagaEffects>> {
    const result = new Map<string, SagaEffects>();
    if (sagaIds.length === 0) return result;
    const session = this.redis();
    const replies = await session.call('read effects', () => {
      const pipeline = session.redis.pipeline();
      for (const id of sagaIds) pipeline.hget(`${this.keyPrefix}${id}`, 'repeats').lrange(`${this.keyPrefix}${id}:log`, 0, -1);
      return pipeline.exec();
    });
    sagaIds.forEach((id, i) => {
      const [repeatsError, repeats] = replies?.[2 * i] ?? [new Error('no reply')];
      const [logError, log] = replies?.[2 * i + 1] ?? [new Error('no reply')];
      const error = repeatsError ?? logError;
      if (error) throw error;
      const effects = emptyEffects();
      for (const entry of (log as string[] | null) ?? []) {
        if (!isEffect(entry)) continue;
        effects.log.push(entry);
        effects.counts[entry]++;
      }
      effects.repeats = Number(repeats ?? 0);
      result.set(id, effects);
    });
    return result;
  }

  /** Deletes the sagas' entries (a run's, once checked); resolves with how many keys went. */
  async forget(sagaIds: readonly string[]): Promise<number> {
    const session = this.redis();
    let deleted = 0;
    for (let start = 0; start < sagaIds.length; start += 500) {
      const keys = sagaIds.slice(start, start + 500).flatMap((id) => [`${this.keyPrefix}${id}`, `${this.keyPrefix}${id}:log`]);
      deleted += await session.call('forget effects', () => session.redis.del(...keys));
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.session?.close();
  }
}

export const LedgerEnv = {
  /** `redis` (default) or `memory` (effects kept in the participant's own process). */
  kind: 'MESH_SIGNUP_LEDGER',
  prefix: 'MESH_SIGNUP_LEDGER_PREFIX',
  redisUrl: 'REDIS_URL',
} as const;

export const DEFAULT_LEDGER_REDIS_URL = 'redis://127.0.0.1:6379';

/** The ledger a participant process uses: Redis at REDIS_URL under MESH_SIGNUP_LEDGER_PREFIX, unless MESH_SIGNUP_LEDGER=memory. */
export function signupLedgerFromEnv(env: NodeJS.ProcessEnv = process.env): SignupLedger {
  const kind = env[LedgerEnv.kind]?.trim().toLowerCase() || 'redis';
  if (kind === 'memory') return new MemorySignupLedger();
  if (kind !== 'redis') throw new Error(`${LedgerEnv.kind}='${env[LedgerEnv.kind]}' must be redis or memory`);
  const url = env[LedgerEnv.redisUrl]?.trim() || DEFAULT_LEDGER_REDIS_URL;
  return new RedisSignupLedger(url, { keyPrefix: env[LedgerEnv.prefix]?.trim() || DEFAULT_LEDGER_PREFIX });
}
