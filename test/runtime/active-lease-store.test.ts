import Redis from 'ioredis';
import pino from 'pino';
import { FencedError, RedisActiveLeaseStore, RedisAgentStateStore } from '@agentmesh/runtime';
import { RedisCheckpointStore } from '../../packages/runtime/src/checkpoint/redis-checkpoint-store';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// The lease and the fenced writes against the real Redis: one holder at a time, tokens that only grow (also
// when the counter is lost), and checkpoint and state writes refused once another instance holds the lease.

const REDIS_URL = TEST_REDIS_URL;
const logger = pino({ level: 'silent' });
let redis: Redis;
let leases: RedisActiveLeaseStore;
let checkpoints: RedisCheckpointStore;
let states: RedisAgentStateStore;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
  leases = RedisActiveLeaseStore.connect(REDIS_URL, logger);
  checkpoints = RedisCheckpointStore.connect(REDIS_URL, logger);
  states = RedisAgentStateStore.connect(REDIS_URL, logger);
});
afterAll(async () => {
  await Promise.all([leases.close(), checkpoints.close(), states.close()]);
  redis.disconnect();
});

describe('the Redis active lease', () => {
  it('has one holder at a time; renewing, releasing and taking over follow the holder and its token', async () => {
    const agent = uniqueName('lease');
    const a = await leases.acquire(agent, 'a', 5_000);
    expect(a.acquired).toBe(true);
    const tokenA = a.acquired ? a.token : 0;
    expect(await leases.acquire(agent, 'b', 5_000)).toEqual({ acquired: false, holder: { instanceId: 'a', token: tokenA } });
    // The holder asking again keeps its token.
    expect(await leases.acquire(agent, 'a', 5_000)).toEqual({ acquired: true, token: tokenA });
    expect(await leases.renew(agent, 'a', tokenA, 5_000)).toBe(true);
    expect(await leases.renew(agent, 'b', tokenA, 5_000)).toBe(false);
    await leases.release(agent, 'b', tokenA); // not b's: nothing happens
    expect(await leases.holder(agent)).toEqual({ instanceId: 'a', token: tokenA });
    await leases.release(agent, 'a', tokenA);
    expect(await leases.holder(agent)).toBeUndefined();

    const b = await leases.acquire(agent, 'b', 5_000);
    expect(b.acquired && b.token).toBeGreaterThan(tokenA);
    expect(await leases.renew(agent, 'a', tokenA, 5_000)).toBe(false);
  });

  it('gives a larger token to the next holder after the lease expired, even when its counter was lost', async () => {
    const agent = uniqueName('lease');
    const first = await leases.acquire(agent, 'a', 50);
    const key = leases.leaseKey(agent);
    await redis.del(`${key}:token`); // as after a Redis restart without persistence
    await redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    const second = await leases.acquire(agent, 'b', 5_000);
    expect(first.acquired && second.acquired).toBe(true);
    expect(second.acquired && first.acquired && second.token > first.token).toBe(true);
  });
});

describe('writes fenced by the lease', () => {
  it('are refused with FencedError once another instance holds the lease, and accepted from the holder', async () => {
    const agent = uniqueName('fenced');
    const old = await leases.acquire(agent, 'old', 5_000);
    const oldFence = leases.fence(agent, 'old', old.acquired ? old.token : 0);
    expect(await checkpoints.save(agent, 'e1', { step: 1 }, oldFence)).toBe(1);
    expect((await states.save(agent, 'k', { n: 1 }, oldFence)).version).toBe(1);

    // The old holder's lease lapses and a new instance takes over.
    await redis.del(leases.leaseKey(agent));
    const fresh = await leases.acquire(agent, 'new', 5_000);
    const newFence = leases.fence(agent, 'new', fresh.acquired ? fresh.token : 0);

    await expect(checkpoints.save(agent, 'e1', { step: 2 }, oldFence)).rejects.toBeInstanceOf(FencedError);
    await expect(states.save(agent, 'k', { n: 2 }, oldFence)).rejects.toBeInstanceOf(FencedError);
    // Nothing of the refused writes landed.
    expect((await checkpoints.load(agent, 'e1'))?.state).toEqual({ step: 1 });
    expect((await states.load(agent, 'k'))?.state).toEqual({ n: 1 });

    expect(await checkpoints.save(agent, 'e1', { step: 2 }, newFence)).toBe(2);
    expect((await states.save(agent, 'k', { n: 2 }, newFence)).version).toBe(2);
    // Unfenced writes (an agent whose instances are all active) are not affected.
    expect(await checkpoints.save(agent, 'e2', { step: 1 })).toBe(1);
  });
});
