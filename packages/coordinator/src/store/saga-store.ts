import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { createRedisConnection, RedisSession, type LuaScript, type RedisConnectionOptions } from '@agentmesh/runtime/internal';
import { SagaNotFoundError, SagaStateError } from '../errors';
import { withPendingSignal, type SignalRefusal } from '../saga/signals';
import { SAGA_STATUSES, STUCK_STATUSES, type SagaSignal, type SagaState, type SagaStatus } from '../saga/state';
import { SagaKeys } from './keys';
import { BatchedScript } from './batched-script';
import { CREATE_SAGA, PURGE_SAGAS, SAVE_SAGA } from './scripts';

export type SaveResult = 'ok' | 'fenced' | 'conflict' | 'missing';

/** What became of a signal handed to a saga's owner: recorded for it, or why not. */
export type SignalRecording = 'recorded' | 'unknown-saga' | 'busy' | SignalRefusal;

/** The right to act on a partition's sagas: the epoch this instance got when it was assigned the partition. */
export interface Fence {
  partition: number;
  epoch: number;
}

export interface SagaListQuery {
  statuses?: readonly SagaStatus[];
  /** Only sagas started at least this long ago. */
  olderThanMs?: number;
  /** Default 100. */
  limit?: number;
  now?: number;
}

export interface SagaStoreOptions extends RedisConnectionOptions {
  /** Key prefix; default `mesh:saga:`. */
  keyPrefix?: string;
}

function parseState(json: string | null | undefined): SagaState | undefined {
  return json ? (JSON.parse(json) as SagaState) : undefined;
}

/**
 * Saga state in Redis: one hash per saga (version + JSON), a timer set per
 * saga.replies partition, a fencing epoch per partition, an index per status.
 * Every write by a coordinator is compare-and-set on the version and fenced
 * by the partition's epoch, so an instance that lost a partition cannot write.
 */
export class SagaStore {
  readonly keys: SagaKeys;
  private readonly session: RedisSession;
  /** Creates and saves asked for in one turn of the event loop go to Redis as one call. */
  private readonly creates: BatchedScript;
  private readonly saves: BatchedScript;

  constructor(redis: Redis, ownsConnection: boolean, options: { keyPrefix?: string } = {}) {
    this.keys = new SagaKeys(options.keyPrefix);
    this.session = new RedisSession(redis, 'saga', ownsConnection);
    const runScript = (script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>) => script.run(this.redis, keys, args);
    this.creates = new BatchedScript(CREATE_SAGA, runScript);
    this.saves = new BatchedScript(SAVE_SAGA, runScript);
  }

  static connect(url: string, logger: Logger, options: SagaStoreOptions = {}): SagaStore {
    return new SagaStore(createRedisConnection(url, 'saga', logger, options), true, options);
  }

  get redis(): Redis {
    return this.session.redis;
  }

  /**
   * Stores a new saga and its start timer; false when a saga with that id exists (the trigger was seen before).
   * `json`: the caller's serialisation of `state`, to reuse it (the saga's first audit record carries it too).
   */
  async create(state: SagaState, json: string = JSON.stringify(state)): Promise<boolean> {
    const k = this.keys;
    const created = await this.session.call('create saga', () =>
      this.creates.run([k.state(state.id), k.timers(state.homePartition), k.status(state.status)], [json, state.id, state.wakeAt ?? state.startedAt, state.startedAt]),
    );
    return created === 1;
  }

  async load(sagaId: string): Promise<SagaState | undefined> {
    return parseState(await this.session.call('load saga', () => this.redis.hget(this.keys.state(sagaId), 'json')));
  }

  async loadMany(sagaIds: readonly string[]): Promise<(SagaState | undefined)[]> {
    if (sagaIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of sagaIds) pipeline.hget(this.keys.state(id), 'json');
    const results = await this.session.call('load sagas', () => pipeline.exec());
    return (results ?? []).map(([error, json]) => {
      if (error) throw error;
      return parseState(json as string | null);
    });
  }

  /**
   * Writes `next` (whose version the store sets to previous.version + 1) if
   * the stored version is still `previous.version` and, when fenced, the
   * partition's epoch is still the fence's.
   */
  async save(previous: SagaState, next: SagaState, fence: Fence | null, json?: string): Promise<SaveResult> {
    const k = this.keys;
    next.version = previous.version + 1;
    // `json`: the caller's serialisation of `next` (made after setting its version the same way), to reuse it.
    const body = json ?? JSON.stringify(next);
    const result = await this.session.call('save saga', () =>
      this.saves.run(
        [k.state(next.id), k.epoch(next.homePartition), k.timers(next.homePartition), k.status(previous.status), k.status(next.status)],
        [previous.version, fence ? fence.epoch : '', body, next.id, next.wakeAt ?? '', next.startedAt, next.version],
      ),
    );
    return result as SaveResult;
  }

  /** Takes a partition: bumps its epoch, so whoever held it before can no longer write its sagas. */
  async claimPartition(partition: number): Promise<Fence> {
    const epoch = await this.session.call('claim partition', () => this.redis.incr(this.keys.epoch(partition)));
    return { partition, epoch };
  }

  /** Sagas of a partition due by `now` (oldest first). */
  async due(partition: number, now: number, limit: number): Promise<string[]> {
    return this.session.call('due sagas', () => this.redis.zrangebyscore(this.keys.timers(partition), '-inf', now, 'LIMIT', 0, limit));
  }

  /** Every saga of a partition that still has a timer (all the unfinished, unstuck ones). */
  async scheduled(partition: number): Promise<string[]> {
    return this.session.call('scheduled sagas', () => this.redis.zrange(this.keys.timers(partition), 0, -1));
  }

  /** Sagas by status and age, newest first within each status. */
  async list(query: SagaListQuery = {}): Promise<SagaState[]> {
    const now = query.now ?? Date.now();
    const maxStart = query.olderThanMs === undefined ? '+inf' : now - query.olderThanMs;
    const limit = query.limit ?? 100;
    const ids = new Set<string>();
    for (const status of query.statuses ?? SAGA_STATUSES) {
      if (ids.size >= limit) break;
      const found = await this.session.call('list sagas', () => this.redis.zrevrangebyscore(this.keys.status(status), maxStart, '-inf', 'LIMIT', 0, limit - ids.size));
      // A saga that changes status between two reads is met twice: once is enough.
      for (const id of found) ids.add(id);
    }
    const states = await this.loadMany([...ids]);
    // Loaded after the index was read: a saga that has since left the asked statuses is not listed.
    const wanted = new Set(query.statuses ?? SAGA_STATUSES);
    return states.filter((s): s is SagaState => s !== undefined && wanted.has(s.status));
  }

  /** Counts per status. */
  async countByStatus(): Promise<Record<SagaStatus, number>> {
    const counts = await Promise.all(SAGA_STATUSES.map((s) => this.session.call('count sagas', () => this.redis.zcard(this.keys.status(s)))));
    return Object.fromEntries(SAGA_STATUSES.map((s, i) => [s, counts[i]!])) as Record<SagaStatus, number>;
  }

  /**
   * Asks the saga's owner to resume a stuck saga: marks the request in its
   * state and makes it due now. Refused (SagaStateError) unless the saga is stuck.
   */
  async requestResume(sagaId: string, now: number = Date.now()): Promise<SagaState> {
    for (let round = 0; round < 5; round++) {
      const current = await this.load(sagaId);
      if (!current) throw new SagaNotFoundError(sagaId);
      if (!STUCK_STATUSES.includes(current.status)) {
        throw new SagaStateError(`saga '${sagaId}' is ${current.status}; only a stuck saga (${STUCK_STATUSES.join(' or ')}) can be resumed`);
      }
      const next: SagaState = { ...current, resumeRequestedAt: now, wakeAt: now };
      const result = await this.save(current, next, null);
      if (result === 'ok') return next;
      if (result === 'missing') throw new SagaNotFoundError(sagaId);
    }
    throw new SagaStateError(`saga '${sagaId}' kept changing while the resume was being recorded; try again`);
  }

  /**
   * Hands a signal to the saga's owner, as a resume request is: adds it to the saga's pending signals (a saga
   * waiting is made due now). Compare-and-set, not fenced: any instance may record it; the owner decides.
   */
  async recordSignal(sagaId: string, signal: SagaSignal, now: number = Date.now()): Promise<SignalRecording> {
    for (let round = 0; round < 5; round++) {
      const current = await this.load(sagaId);
      if (!current) return 'unknown-saga';
      const decided = withPendingSignal(current, signal, now);
      if ('refused' in decided) return decided.refused;
      const result = await this.save(current, decided.state, null);
      if (result === 'ok') return 'recorded';
      if (result === 'missing') return 'unknown-saga';
    }
    return 'busy';
  }

  /** Deletes finished sagas (completed and/or compensated) started before `now - olderThanMs`. Returns how many. */
  async purge(statuses: readonly ('completed' | 'compensated')[], olderThanMs: number, now: number = Date.now()): Promise<number> {
    let total = 0;
    for (const status of statuses) {
      for (;;) {
        const removed = (await this.session.call('purge sagas', () => PURGE_SAGAS.run(this.redis, [this.keys.status(status)], [now - olderThanMs, 500, `${this.keys.prefix}state:`]))) as number;
        total += removed;
        if (removed < 500) break;
      }
    }
    return total;
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
