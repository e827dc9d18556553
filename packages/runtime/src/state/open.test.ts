import Redis from 'ioredis';
import pino from 'pino';
import { LazyAgentStateStore } from './lazy-store';
import { MemoryAgentStateStore } from './memory-store';
import { defaultAgentStateStore, openAgentStateStore } from './open';
import { RedisAgentStateStore } from './redis-store';

const quiet = pino({ level: 'silent' });
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe("a worker's default state store", () => {
  it('is in-process when the idempotency store is', async () => {
    const store = defaultAgentStateStore({ kind: 'memory' }, quiet, {});
    expect(store).toBeInstanceOf(MemoryAgentStateStore);
    await store.close();
  });

  it('is Redis when the idempotency store is, connected only once used', async () => {
    const store = defaultAgentStateStore({ kind: 'redis' }, quiet, { REDIS_URL });
    expect(store).toBeInstanceOf(LazyAgentStateStore);
    expect(store.kind).toBe('redis');
    expect((store as LazyAgentStateStore).isOpen).toBe(false);
    const agent = `state-open-${process.pid}-${Date.now()}`;
    try {
      expect((await store.save(agent, 'k', 1)).version).toBe(1);
      expect((store as LazyAgentStateStore).isOpen).toBe(true);
      expect(await store.load(agent, 'k')).toMatchObject({ state: 1, version: 1 });
    } finally {
      const check = RedisAgentStateStore.connect(REDIS_URL, quiet);
      expect(await check.keys(agent)).toEqual(['k']);
      await check.close();
      await store.close();
      const cleanup = new Redis(REDIS_URL);
      await cleanup.del(`mesh:state:{${agent}}:k`);
      cleanup.disconnect();
    }
    await expect(store.keys(agent)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
  });

  it('never opens a connection when closed unused', async () => {
    const store = new LazyAgentStateStore('redis', () => {
      throw new Error('should not open');
    });
    await store.close();
    expect(store.isOpen).toBe(false);
  });
});

describe('openAgentStateStore', () => {
  it('opens Redis for a URL and memory without one', async () => {
    const redis = openAgentStateStore({ redisUrl: REDIS_URL, logger: quiet });
    const memory = openAgentStateStore({ redisUrl: ' ', logger: quiet });
    expect([redis.kind, memory.kind]).toEqual(['redis', 'memory']);
    await Promise.all([redis.close(), memory.close()]);
  });
});
