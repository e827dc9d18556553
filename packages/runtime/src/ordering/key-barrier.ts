import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedisConnection, LuaScript, RedisSession } from '../redis/connection';

/**
 * Where an event stands in its key's line while another event of that key is in retry
 * (per-key ordering): `free` no line, `head` its turn, `waiting` queued behind the head,
 * `absent` a line exists without it.
 */
export type BarrierPosition = 'free' | 'head' | 'waiting' | 'absent';

/** The durable line of events per (agent, key): the head is the one in retry, the rest wait behind it. */
export interface KeyBarrier {
  position(agent: string, key: string, eventId: string): Promise<BarrierPosition>;
  /** Puts the event at the end of its key's line (once). */
  enqueue(agent: string, key: string, eventId: string): Promise<void>;
  /** Takes the event out when it is the head, so the next one's turn comes. */
  release(agent: string, key: string, eventId: string): Promise<void>;
  close(): Promise<void>;
}

/** A line outlives any sane retry schedule, but not forever: a lost head must not block its key for good. */
const LINE_TTL_MS = 7 * 24 * 3600 * 1000;

const POSITION = new LuaScript(`
local line = redis.call('LRANGE', KEYS[1], 0, -1)
if #line == 0 then return 'free' end
if line[1] == ARGV[1] then return 'head' end
for i = 2, #line do if line[i] == ARGV[1] then return 'waiting' end end
return 'absent'`);

const ENQUEUE = new LuaScript(`
if not redis.call('LPOS', KEYS[1], ARGV[1]) then redis.call('RPUSH', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`);

const RELEASE = new LuaScript(`
if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]) end
return 1`);

export class RedisKeyBarrier implements KeyBarrier {
  private readonly session: RedisSession;

  private constructor(private readonly redis: Redis) {
    this.session = new RedisSession(redis, 'idempotency', true);
  }

  static connect(url: string, logger: Logger): RedisKeyBarrier {
    return new RedisKeyBarrier(createRedisConnection(url, 'idempotency', logger));
  }

  /** Keys are hashed: record keys may be long or binary; the agent is a hash tag so a cluster keeps its lines together. */
  private lineOf(agent: string, key: string): string {
    return `mesh:order:{${agent}}:${createHash('sha1').update(key).digest('hex')}`;
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return this.session.call(`ordering ${operation}`, run);
  }

  async position(agent: string, key: string, eventId: string): Promise<BarrierPosition> {
    return (await this.call('position', () => POSITION.run(this.redis, [this.lineOf(agent, key)], [eventId]))) as BarrierPosition;
  }

  async enqueue(agent: string, key: string, eventId: string): Promise<void> {
    await this.call('enqueue', () => ENQUEUE.run(this.redis, [this.lineOf(agent, key)], [eventId, LINE_TTL_MS]));
  }

  async release(agent: string, key: string, eventId: string): Promise<void> {
    await this.call('release', () => RELEASE.run(this.redis, [this.lineOf(agent, key)], [eventId]));
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** In-process lines: ordering holds within one process and is lost on restart. */
export class MemoryKeyBarrier implements KeyBarrier {
  private readonly lines = new Map<string, string[]>();

  async position(agent: string, key: string, eventId: string): Promise<BarrierPosition> {
    const line = this.lines.get(`${agent}\u0000${key}`);
    if (!line || line.length === 0) return 'free';
    if (line[0] === eventId) return 'head';
    return line.includes(eventId) ? 'waiting' : 'absent';
  }

  async enqueue(agent: string, key: string, eventId: string): Promise<void> {
    const id = `${agent}\u0000${key}`;
    const line = this.lines.get(id) ?? [];
    if (!line.includes(eventId)) line.push(eventId);
    this.lines.set(id, line);
  }

  async release(agent: string, key: string, eventId: string): Promise<void> {
    const id = `${agent}\u0000${key}`;
    const line = this.lines.get(id);
    if (line?.[0] === eventId) line.shift();
    if (line?.length === 0) this.lines.delete(id);
  }

  async close(): Promise<void> {}
}
