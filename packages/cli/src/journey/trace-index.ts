import { createLogger } from '@agentmesh/runtime';
import { closeRedisConnection, createRedisConnection, RedisSession } from '@agentmesh/runtime/internal';
import { cursorField } from './indexed-topics';
import { indexWrites, TraceIndexKeys } from './index-writes';
import type { TraceRow } from './trace-row';

/** How long the index keeps a journey after its last record: as long as the workers keep completions. */
export const TRACE_INDEX_TTL_MS = 7 * 24 * 3600 * 1000;

type Redis = ReturnType<typeof createRedisConnection>;

/** The records found for an id, and the journeys they belong to. */
export interface FoundJourney {
  journeyIds: string[];
  rows: TraceRow[];
}

function parseRows(members: readonly string[]): TraceRow[] {
  const rows: TraceRow[] = [];
  for (const member of members) {
    try {
      rows.push(JSON.parse(member) as TraceRow);
    } catch {
      // A row this version cannot read is left out rather than failing the whole journey.
    }
  }
  return rows;
}

/** ioredis pipeline replies: [error, value] pairs; the first error fails the call (and becomes a typed store error). */
function values(replies: Array<[Error | null, unknown]> | null): unknown[] {
  return (replies ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * The trace index in Redis, per Kafka cluster: each journey's records (their headers' story, not
 * their values), the ways to find a journey (event id, trace id, saga id), and how far each
 * partition has been read. Written by `mesh trace-index` and by `mesh trace` before it answers.
 */
export class TraceIndex {
  private readonly session: RedisSession;
  readonly keys: TraceIndexKeys;

  private constructor(
    private readonly redis: Redis,
    cluster: string,
  ) {
    this.session = new RedisSession(redis, 'trace', true);
    this.keys = new TraceIndexKeys(cluster);
  }

  static connect(url: string, cluster: string): TraceIndex {
    // Silent: a failure surfaces as the command's one-line error, not as JSON log lines around its output.
    return new TraceIndex(createRedisConnection(url, 'trace', createLogger({ name: 'mesh-trace', level: 'silent' })), cluster);
  }

  /** The next offset to index per `topic:partition`. */
  cursor(): Promise<Map<string, bigint>> {
    return this.session.call('read the trace index cursor', async () => {
      const all = await this.redis.hgetall(this.keys.cursor());
      return new Map(Object.entries(all).map(([field, offset]) => [field, BigInt(offset)] as const));
    });
  }

  /** Indexes `rows` (read from one partition) and moves that partition's cursor to `next`, in one round trip. */
  write(rows: readonly TraceRow[], topic: string, partition: number, next: bigint): Promise<void> {
    return this.session.call('write the trace index', async () => {
      const writes = indexWrites(this.keys, rows);
      const pipeline = this.redis.pipeline();
      for (const [key, pairs] of writes.zadd) pipeline.zadd(key, ...pairs.flat());
      // Strings take their expiry in the same command; sorted sets and sets need one more each.
      for (const [key, value] of writes.set) pipeline.set(key, value, 'PX', TRACE_INDEX_TTL_MS);
      for (const [key, members] of writes.sadd) pipeline.sadd(key, ...members);
      for (const key of [...writes.zadd.keys(), ...writes.sadd.keys()]) pipeline.pexpire(key, TRACE_INDEX_TTL_MS);
      pipeline.hset(this.keys.cursor(), cursorField(topic, partition), next.toString());
      values(await pipeline.exec());
    });
  }

  /**
   * The records of the journey `id` names: an event id, a correlation id, a trace id or a saga id.
   * Undefined when the index knows no such id.
   */
  find(id: string): Promise<FoundJourney | undefined> {
    return this.session.call('read the trace index', async () => {
      const k = this.keys;
      const [byEvent, byTrace, isJourney, bySaga] = values(await this.redis.pipeline().get(k.event(id)).smembers(k.trace(id.toLowerCase())).exists(k.journey(id)).smembers(k.saga(id)).exec()) as [
        string | null,
        string[],
        number,
        string[],
      ];
      const journeyIds = [...new Set([...(byEvent ? [byEvent] : []), ...(isJourney > 0 ? [id] : []), ...byTrace, ...bySaga])];
      if (journeyIds.length === 0) return undefined;

      const read = this.redis.pipeline();
      for (const journey of journeyIds) read.zrange(k.journey(journey), 0, -1);
      const rows = parseRows((values(await read.exec()) as string[][]).flat());
      // A saga's records that name no journey of their own (its stuck notice) join it here.
      const sagas = [...new Set(rows.flatMap((r) => (r.saga ? [r.saga.id] : [])))];
      if (sagas.length > 0) {
        const more = this.redis.pipeline();
        for (const saga of sagas) more.zrange(k.sagaRows(saga), 0, -1);
        rows.push(...parseRows((values(await more.exec()) as string[][]).flat()));
      }
      return { journeyIds, rows };
    });
  }

  close(): Promise<void> {
    return this.session.close().catch(() => closeRedisConnection(this.redis));
  }
}
