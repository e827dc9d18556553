/**
 * The idempotency and checkpoint stores against the shared Redis ($REDIS_URL, else
 * 127.0.0.1:6379; and the in-process stores through the same table), plus
 * outages on a private redis-server this file starts, kills and restarts.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino, { type Logger } from 'pino';
import { MemoryCheckpointStore } from '../src/checkpoint/memory-checkpoint-store';
import { encodeCheckpointRecord } from '../src/checkpoint/record';
import { RedisCheckpointStore } from '../src/checkpoint/redis-checkpoint-store';
import { CheckpointStateError, type CheckpointStore } from '../src/checkpoint/store';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-store';
import { RedisIdempotencyStore } from '../src/idempotency/redis-store';
import type { IdempotencyStore, Outcome } from '../src/idempotency/store';
import { createRedisConnection } from '../src/redis/connection';
import { StoreCommandError, StoreUnavailableError } from '../src/redis/errors';
import { eventually, freePort, startPrivateRedis, type PrivateRedis } from './support/redis-server';
import { TEST_REDIS_URL } from '../../../test/support/redis';

jest.setTimeout(30_000);

const SHARED_REDIS_URL = TEST_REDIS_URL;
/** Every key this run writes starts with this, so cleanup cannot touch anyone else's. */
const RUN_PREFIX = `mesh-test:${randomUUID()}`;
const IDEM_PREFIX = `${RUN_PREFIX}:idem`;
const CKPT_PREFIX = `${RUN_PREFIX}:ckpt`;

type LogLine = Record<string, unknown> & { level: number; msg: string };
function captureLogs(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  );
  return { logger, lines, text: () => raw.join('') };
}

const quiet = pino({ level: 'silent' });
const newAgent = () => `agent-${randomUUID().slice(0, 8)}`;
const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let admin: Redis;
beforeAll(async () => {
  admin = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
  await admin.ping();
});
afterAll(async () => {
  // Bounded cleanup of this run's keys only.
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${RUN_PREFIX}:*`, 'COUNT', 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await admin.quit();
});

// ---------------------------------------------------------------------------
// Idempotency: one table of behaviour, both implementations.
// ---------------------------------------------------------------------------

interface IdempotencyHarness {
  store: IdempotencyStore;
  /** Lets time pass: a fake clock for memory, real time for Redis (TTL expiry emits no event to await). */
  elapse(ms: number): Promise<void>;
}

const idempotencyImplementations: Array<[string, () => Promise<IdempotencyHarness>]> = [
  [
    'memory',
    async () => {
      let now = 1_000_000;
      const store = new MemoryIdempotencyStore({ now: () => now });
      return { store, elapse: async (ms) => void (now += ms) };
    },
  ],
  [
    'redis',
    async () => {
      const store = RedisIdempotencyStore.connect(SHARED_REDIS_URL, quiet, { keyPrefix: IDEM_PREFIX });
      await store.ping();
      return { store, elapse: realDelay };
    },
  ],
];

describe.each(idempotencyImplementations)('IdempotencyStore (%s)', (_kind, open) => {
  let harness: IdempotencyHarness;
  let store: IdempotencyStore;
  let agent: string;
  beforeEach(async () => {
    harness = await open();
    store = harness.store;
    agent = newAgent();
  });
  afterEach(() => store.close());

  it('gives the lease to the first owner, busy to a second, acquired again to the first', async () => {
    expect(await store.claim(agent, ['e1'], 'owner-a', 10_000)).toEqual(new Map([['e1', { state: 'acquired' }]]));
    expect(await store.claim(agent, ['e1'], 'owner-b', 10_000)).toEqual(new Map([['e1', { state: 'busy', owner: 'owner-a' }]]));
    expect(await store.claim(agent, ['e1'], 'owner-a', 10_000)).toEqual(new Map([['e1', { state: 'acquired' }]]));
  });

  it('answers a mixed batch per event: acquired, done, busy', async () => {
    await store.claim(agent, ['leased-by-b'], 'owner-b', 10_000);
    await store.complete(agent, [{ eventId: 'finished', outcome: 'degraded' }], 60_000);
    const results = await store.claim(agent, ['new', 'finished', 'leased-by-b'], 'owner-a', 10_000);
    expect(results).toEqual(
      new Map([
        ['new', { state: 'acquired' }],
        ['finished', { state: 'done', outcome: 'degraded' }],
        ['leased-by-b', { state: 'busy', owner: 'owner-b' }],
      ]),
    );
  });

  it('makes a completion replace the lease, for every owner', async () => {
    await store.claim(agent, ['e1', 'e2'], 'owner-a', 10_000);
    await store.complete(
      agent,
      [
        { eventId: 'e1', outcome: 'processed' },
        { eventId: 'e2', outcome: 'dead-lettered' },
      ],
      60_000,
    );
    expect(await store.claim(agent, ['e1', 'e2'], 'owner-a', 10_000)).toEqual(
      new Map([
        ['e1', { state: 'done', outcome: 'processed' }],
        ['e2', { state: 'done', outcome: 'dead-lettered' }],
      ]),
    );
    expect((await store.claim(agent, ['e1'], 'owner-b', 10_000)).get('e1')).toEqual({ state: 'done', outcome: 'processed' });
  });

  it('lets another owner acquire once the lease expires', async () => {
    await store.claim(agent, ['e1'], 'owner-a', 150);
    expect((await store.claim(agent, ['e1'], 'owner-b', 150)).get('e1')).toEqual({ state: 'busy', owner: 'owner-a' });
    await harness.elapse(250);
    expect((await store.claim(agent, ['e1'], 'owner-b', 10_000)).get('e1')).toEqual({ state: 'acquired' });
    expect((await store.claim(agent, ['e1'], 'owner-a', 10_000)).get('e1')).toEqual({ state: 'busy', owner: 'owner-b' });
  });

  it('forgets a completion once its TTL has passed', async () => {
    await store.complete(agent, [{ eventId: 'e1', outcome: 'processed' }], 150);
    expect((await store.claim(agent, ['e1'], 'owner-a', 10_000)).get('e1')).toEqual({ state: 'done', outcome: 'processed' });
    await harness.elapse(250);
    expect((await store.claim(agent, ['e1'], 'owner-a', 10_000)).get('e1')).toEqual({ state: 'acquired' });
  });

  it('releases only the leases the caller owns', async () => {
    await store.claim(agent, ['mine'], 'owner-a', 10_000);
    await store.claim(agent, ['theirs'], 'owner-b', 10_000);
    await store.complete(agent, [{ eventId: 'finished', outcome: 'processed' }], 60_000);
    await store.release(agent, ['mine', 'theirs', 'finished', 'never-claimed'], 'owner-a');
    expect(await store.claim(agent, ['mine', 'theirs', 'finished'], 'owner-c', 10_000)).toEqual(
      new Map([
        ['mine', { state: 'acquired' }],
        ['theirs', { state: 'busy', owner: 'owner-b' }],
        ['finished', { state: 'done', outcome: 'processed' }],
      ]),
    );
  });

  it('forgets completions (a replayed dead letter runs again) but leaves live leases alone', async () => {
    await store.complete(agent, [{ eventId: 'dead', outcome: 'dead-lettered' }], 60_000);
    await store.claim(agent, ['in-flight'], 'owner-b', 10_000);
    await store.forget(agent, ['dead', 'in-flight', 'unknown']);
    expect(await store.claim(agent, ['dead', 'in-flight'], 'owner-a', 10_000)).toEqual(
      new Map([
        ['dead', { state: 'acquired' }],
        ['in-flight', { state: 'busy', owner: 'owner-b' }],
      ]),
    );
  });

  it('keeps agents apart', async () => {
    await store.complete(agent, [{ eventId: 'e1', outcome: 'processed' }], 60_000);
    expect((await store.claim(newAgent(), ['e1'], 'owner-a', 10_000)).get('e1')).toEqual({ state: 'acquired' });
  });

  it('accepts empty batches and refuses a lease that is not a positive whole ms', async () => {
    expect((await store.claim(agent, [], 'owner-a', 10_000)).size).toBe(0);
    await store.complete(agent, [], 60_000);
    await store.release(agent, [], 'owner-a');
    await store.forget(agent, []);
    await expect(store.claim(agent, ['e1'], 'owner-a', 0)).rejects.toBeInstanceOf(RangeError);
    await expect(store.complete(agent, [{ eventId: 'e1', outcome: 'processed' }], 1.5)).rejects.toBeInstanceOf(RangeError);
  });

  it('answers ping while open', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// Idempotency: what only the Redis store has (key layout, TTLs, round trips).
// ---------------------------------------------------------------------------

describe('RedisIdempotencyStore on the shared Redis', () => {
  let client: Redis;
  let store: RedisIdempotencyStore;
  let agent: string;
  beforeEach(async () => {
    client = createRedisConnection(SHARED_REDIS_URL, 'idempotency', quiet);
    store = new RedisIdempotencyStore(client, { keyPrefix: IDEM_PREFIX, ownsConnection: false });
    await store.ping();
    agent = newAgent();
  });
  afterEach(async () => {
    await store.close();
    expect(client.status).toBe('ready'); // a shared connection is not closed by the store
    await client.quit();
  });

  it('keys events by agent hash tag, with leases and completions as readable values and TTLs', async () => {
    const key = store.keyOf(agent, 'e1');
    expect(key).toBe(`${IDEM_PREFIX}:{${agent}}:e1`);
    await store.claim(agent, ['e1'], 'host-1:4242', 30_000);
    expect(await admin.get(key)).toBe('lease:host-1:4242');
    const leaseTtl = await admin.pttl(key);
    expect(leaseTtl).toBeGreaterThan(25_000);
    expect(leaseTtl).toBeLessThanOrEqual(30_000);

    await store.complete(agent, [{ eventId: 'e1', outcome: 'processed' }], 3_600_000);
    expect(await admin.get(key)).toBe('done:processed');
    expect(await admin.pttl(key)).toBeGreaterThan(3_500_000);
  });

  it('renews its own lease on re-claim', async () => {
    const key = store.keyOf(agent, 'e1');
    await store.claim(agent, ['e1'], 'owner-a', 1_000);
    await store.claim(agent, ['e1'], 'owner-a', 60_000);
    expect(await admin.pttl(key)).toBeGreaterThan(50_000);
  });

  it('takes over a key holding something that is not ours (a foreign value) with a lease', async () => {
    const key = store.keyOf(agent, 'e1');
    await admin.set(key, 'garbage', 'PX', 60_000);
    expect((await store.claim(agent, ['e1'], 'owner-a', 10_000)).get('e1')).toEqual({ state: 'acquired' });
    expect(await admin.get(key)).toBe('lease:owner-a');
  });

  it('maps a mostly-acquired batch exactly: done, busy, renewed and foreign keys between fresh ones', async () => {
    // The claim script answers only the keys that do not end up leased to us, by index: a shifted index would
    // hand a fresh id someone else's answer (or the reverse), which this layout would show.
    const ids = Array.from({ length: 40 }, (_, i) => `e${i}`);
    await store.complete(
      agent,
      [
        { eventId: 'e0', outcome: 'dead-lettered' },
        { eventId: 'e7', outcome: 'degraded' },
      ],
      60_000,
    );
    await store.complete(agent, [{ eventId: 'e39', outcome: 'processed' }], 60_000);
    await store.claim(agent, ['e3', 'e21'], 'owner-b', 60_000);
    await store.claim(agent, ['e4', 'e22'], 'owner-a', 1_000); // ours, to be renewed
    await admin.set(store.keyOf(agent, 'e30'), 'garbage', 'PX', 60_000); // neither lease nor completion: taken over
    await admin.set(store.keyOf(agent, 'e31'), 'done:archived-by-a-newer-version', 'PX', 60_000);

    const results = await store.claim(agent, ids, 'owner-a', 60_000);
    const special: Record<string, unknown> = {
      e0: { state: 'done', outcome: 'dead-lettered' },
      e3: { state: 'busy', owner: 'owner-b' },
      e7: { state: 'done', outcome: 'degraded' },
      e21: { state: 'busy', owner: 'owner-b' },
      e31: { state: 'done', outcome: 'processed' },
      e39: { state: 'done', outcome: 'processed' },
    };
    expect([...results.keys()]).toEqual(ids);
    for (const id of ids) expect([id, results.get(id)]).toEqual([id, special[id] ?? { state: 'acquired' }]);

    // And in Redis: our leases taken or renewed, everything else left as it was.
    for (const id of ['e1', 'e4', 'e22', 'e30', 'e38']) {
      expect([id, await admin.get(store.keyOf(agent, id))]).toEqual([id, 'lease:owner-a']);
      expect(await admin.pttl(store.keyOf(agent, id))).toBeGreaterThan(50_000);
    }
    expect(await admin.get(store.keyOf(agent, 'e3'))).toBe('lease:owner-b');
    expect(await admin.get(store.keyOf(agent, 'e7'))).toBe('done:degraded');

    // A batch with nothing of ours at all, and the same id twice.
    expect(await store.claim(agent, ['e0', 'e3', 'e0'], 'owner-a', 10_000)).toEqual(
      new Map([
        ['e0', { state: 'done', outcome: 'dead-lettered' }],
        ['e3', { state: 'busy', owner: 'owner-b' }],
      ]),
    );
    expect(await store.claim(agent, ['fresh', 'fresh'], 'owner-a', 10_000)).toEqual(new Map([['fresh', { state: 'acquired' }]]));
  });

  it("completes a batch of mixed outcomes with each key's own value and the TTL", async () => {
    const outcomes: Outcome[] = ['processed', 'processed', 'degraded', 'processed', 'dead-lettered', 'dead-lettered', 'degraded', 'processed'];
    const completions = outcomes.map((outcome, i) => ({ eventId: `e${i}`, outcome }));
    await store.claim(
      agent,
      completions.map((c) => c.eventId),
      'owner-a',
      10_000,
    );
    await store.complete(agent, completions, 60_000);
    const results = await store.claim(
      agent,
      completions.map((c) => c.eventId),
      'owner-b',
      10_000,
    );
    expect([...results]).toEqual(completions.map(({ eventId, outcome }) => [eventId, { state: 'done', outcome }]));
    for (const { eventId, outcome } of completions) {
      expect(await admin.get(store.keyOf(agent, eventId))).toBe(`done:${outcome}`);
      expect(await admin.pttl(store.keyOf(agent, eventId))).toBeGreaterThan(50_000);
    }
    // The same id twice in one batch: the last completion wins, as with one SET per completion.
    await store.complete(
      agent,
      [
        { eventId: 'twice', outcome: 'processed' },
        { eventId: 'twice', outcome: 'degraded' },
      ],
      60_000,
    );
    expect(await admin.get(store.keyOf(agent, 'twice'))).toBe('done:degraded');
  });

  it('keys ids of any characters exactly: the ids travel packed to the scripts', async () => {
    const ids = ['plain-uuid-like-0000', '12,34', '', 'new\nline', 'héllo wörld', '日本語', '🙂', '9', 'trailing,'];
    await store.claim(agent, ids, 'owner-a', 60_000);
    for (const id of ids) expect([id, await admin.get(store.keyOf(agent, id))]).toEqual([id, 'lease:owner-a']);
    await store.complete(
      agent,
      ids.map((eventId, i) => ({ eventId, outcome: i % 2 === 0 ? ('processed' as const) : ('degraded' as const) })),
      60_000,
    );
    for (const [i, id] of ids.entries()) expect([id, await admin.get(store.keyOf(agent, id))]).toEqual([id, i % 2 === 0 ? 'done:processed' : 'done:degraded']);
    await store.forget(agent, ids.slice(0, 4));
    await store.claim(agent, ids.slice(0, 4), 'owner-b', 60_000);
    await store.release(agent, ids.slice(0, 4), 'owner-b');
    for (const id of ids.slice(0, 4)) expect([id, await admin.exists(store.keyOf(agent, id))]).toEqual([id, 0]);
    for (const id of ids.slice(4)) expect(await admin.get(store.keyOf(agent, id))).toMatch(/^done:/);
  });

  it('returns one shared, frozen answer for acquired ids', async () => {
    const results = await store.claim(agent, ['a', 'b'], 'owner-a', 10_000);
    expect(results.get('a')).toBe(results.get('b'));
    expect(Object.isFrozen(results.get('a'))).toBe(true);
  });

  it('uses one round trip per batch: one socket write, one command seen by the server', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `e${i}`);
    await store.claim(agent, ['warm-up'], 'owner-a', 10_000); // loads the scripts if this Redis has not seen them
    await store.release(agent, ['warm-up'], 'owner-a');
    await store.complete(agent, [{ eventId: 'warm-up', outcome: 'processed' }], 60_000);
    await store.forget(agent, ['warm-up']);

    const monitorSource = new Redis(SHARED_REDIS_URL); // monitor() opens a second connection from this one
    const monitor = await monitorSource.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(args); // commands a script runs inside Redis are not round trips
    });
    const writes = jest.spyOn(client.stream, 'write');
    try {
      const measure = async (operation: () => Promise<unknown>) => {
        writes.mockClear();
        await operation();
        return writes.mock.calls.length;
      };
      expect(await measure(() => store.claim(agent, ids, 'owner-a', 10_000))).toBe(1);
      expect(
        await measure(() =>
          store.complete(
            agent,
            ids.slice(0, 25).map((eventId) => ({ eventId, outcome: 'processed' as const })),
            60_000,
          ),
        ),
      ).toBe(1);
      expect(await measure(() => store.release(agent, ids.slice(25), 'owner-a'))).toBe(1);
      expect(await measure(() => store.forget(agent, ids.slice(0, 25)))).toBe(1);

      // Wait for the monitor feed to catch up, by a marker sent after everything else.
      const marker = `marker-${randomUUID()}`;
      const markerSeen = new Promise<void>((resolve) => monitor.on('monitor', (_t: string, args: string[]) => args.includes(marker) && resolve()));
      await client.echo(marker);
      await markerSeen;
      const ours = seen.filter((args) => args.some((arg) => arg.includes(`{${agent}}`)));
      // One command each, complete included (its SETs run inside its script).
      expect(ours.map((args) => args[0]?.toLowerCase())).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha']);
      // Each carries its whole batch: one key (the agent's base, for the slot) and the ids packed.
      expect(ours[0]?.slice(2, 4)).toEqual(['1', `${IDEM_PREFIX}:{${agent}}:`]);
      expect(ours[0]?.[6]?.split(',')).toHaveLength(50); // the claim: evalsha sha 1 base owner lease LENGTHS ids
      expect(ours[1]?.[5]?.split(',')).toHaveLength(25); // complete: evalsha sha 1 base ttl LENGTHS ids runs...
    } finally {
      writes.mockRestore();
      monitor.disconnect();
      monitorSource.disconnect();
    }
  });
});

describe('RedisIdempotencyStore given replies it does not expect', () => {
  /** A connection that answers every script with `reply` (or rejects with it): what a broken or foreign script would do. */
  const storeAnswering = (reply: () => Promise<unknown>) => new RedisIdempotencyStore({ status: 'ready', evalsha: reply } as unknown as Redis, { ownsConnection: false });

  it.each([
    ['not an array', 'OK'],
    ['an odd length', [0]],
    ['an index out of range', [3, 'done:processed']],
    ['a negative index', [-1, 'done:processed']],
    ['indexes out of order', [1, 'done:processed', 0, 'done:processed']],
    ['an index twice', [1, 'done:processed', 1, 'done:processed']],
    ['a non-string value', [0, 7]],
  ])('rejects a claim reply with %s as a command error', async (_case, reply) => {
    const store = storeAnswering(async () => reply);
    await expect(store.claim('a', ['e0', 'e1', 'e2'], 'owner-a', 10_000)).rejects.toThrow(/claim: unexpected reply/);
    await expect(store.claim('a', ['e0', 'e1', 'e2'], 'owner-a', 10_000)).rejects.toBeInstanceOf(StoreCommandError);
  });

  it('rejects a complete that did not write every key, and types a script error', async () => {
    const two = [
      { eventId: 'e0', outcome: 'processed' as const },
      { eventId: 'e1', outcome: 'processed' as const },
    ];
    await expect(storeAnswering(async () => 1).complete('a', two, 60_000)).rejects.toThrow(/complete: unexpected reply/);
    const failing = storeAnswering(async () => {
      throw Object.assign(new Error('ERR Error running script: @user_script:7: OOM command not allowed'), { name: 'ReplyError' });
    });
    await expect(failing.complete('a', [{ eventId: 'e0', outcome: 'processed' }], 60_000)).rejects.toBeInstanceOf(StoreCommandError);
  });
});

// ---------------------------------------------------------------------------
// Outages, on a private redis-server this file owns.
// ---------------------------------------------------------------------------

describe('Redis stores when Redis goes away', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(() => server.kill());

  it('rejects claim and ping within 3 s while Redis is down, and answers again after it restarts', async () => {
    const { logger, lines } = captureLogs();
    const store = RedisIdempotencyStore.connect(server.url, logger); // default timeouts: the bound under test
    const checkpoints = RedisCheckpointStore.connect(server.url, logger);
    try {
      await store.ping();
      const agent = newAgent();
      expect((await store.claim(agent, ['e1'], 'owner-a', 10_000)).get('e1')).toEqual({ state: 'acquired' });

      await server.kill();
      const started = Date.now();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.claim(agent, ['e2'], 'owner-a', 10_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.complete(agent, [{ eventId: 'e1', outcome: 'processed' }], 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(checkpoints.save(agent, 'e1', { step: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);

      await server.restart();
      await eventually(() => store.ping(), 10_000);
      // A fresh server has no scripts cached: the claim loads its script on the fly.
      expect((await store.claim(agent, ['e3'], 'owner-a', 10_000)).get('e3')).toEqual({ state: 'acquired' });
      await eventually(() => checkpoints.save(agent, 'e1', { step: 1 }), 10_000);

      // One warning per outage per connection, not one per reconnect attempt; one line when it is back.
      const unreachable = lines.filter((line) => line.msg.startsWith('redis unreachable'));
      expect(unreachable.map((line) => line.store).sort()).toEqual(['checkpoint', 'idempotency']);
      expect(lines.filter((line) => line.msg === 'redis reachable again').length).toBe(2);
    } finally {
      await store.close();
      await checkpoints.close();
    }
  });

  it('rejects within 3 s when Redis holds the connection but never answers', async () => {
    const store = RedisIdempotencyStore.connect(server.url, quiet);
    try {
      await eventually(() => store.ping(), 10_000);
      server.freeze();
      const started = Date.now();
      await expect(store.claim(newAgent(), ['e1'], 'owner-a', 10_000)).rejects.toThrow(/timed out/);
      expect(Date.now() - started).toBeLessThan(3000);
      server.thaw();
      await eventually(() => store.ping(), 10_000);
    } finally {
      server.thaw();
      await store.close();
    }
  });

  it('fails fast when Redis was never there, and never logs the password', async () => {
    const { logger, text } = captureLogs();
    const port = await freePort();
    const store = RedisIdempotencyStore.connect(`redis://mesh:hunter2-secret@127.0.0.1:${port}/0`, logger);
    try {
      const started = Date.now();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3000);
      await eventually(async () => {
        if (!text().includes('redis unreachable')) throw new Error('no warning yet');
      }, 5_000);
      expect(text()).toContain(`redis://mesh:***@127.0.0.1:${port}/0`);
      expect(text()).not.toContain('hunter2');
    } finally {
      await store.close();
    }
  });

  it('stops reconnecting once closed', async () => {
    const store = RedisIdempotencyStore.connect(server.url, quiet);
    await eventually(() => store.ping(), 10_000);
    await store.close();
    await expect(store.ping()).rejects.toThrow(/closed/);
  });
});

// ---------------------------------------------------------------------------
// Checkpoints: one table of behaviour, both implementations.
// ---------------------------------------------------------------------------

const checkpointImplementations: Array<[string, (logger: Logger) => Promise<CheckpointStore>]> = [
  ['memory', async (logger) => new MemoryCheckpointStore(logger, { keepVersions: 3 })],
  ['redis', async (logger) => RedisCheckpointStore.connect(SHARED_REDIS_URL, logger, { keyPrefix: CKPT_PREFIX, keepVersions: 3 })],
];

describe.each(checkpointImplementations)('CheckpointStore (%s)', (_kind, open) => {
  let store: CheckpointStore;
  let agent: string;
  beforeEach(async () => {
    store = await open(quiet);
    agent = newAgent();
  });
  afterEach(() => store.close());

  it('saves numbered versions and loads the newest', async () => {
    expect(await store.load(agent, 'e1')).toBeUndefined();
    expect(await store.save(agent, 'e1', { step: 1 })).toBe(1);
    expect(await store.save(agent, 'e1', { step: 2, notes: ['a'] })).toBe(2);
    expect(await store.load(agent, 'e1')).toEqual({ version: 2, state: { step: 2, notes: ['a'] } });
  });

  it('keeps numbering after older versions are dropped', async () => {
    for (let step = 1; step <= 5; step += 1) await store.save(agent, 'e1', { step });
    expect(await store.load(agent, 'e1')).toEqual({ version: 5, state: { step: 5 } });
  });

  it('round-trips awkward state exactly (quotes, backslashes, newlines, unicode, falsy values)', async () => {
    const state = { text: 'say "hi"\\n\n\t', emoji: '🦜 ünïcödé', lone: '\ud800', nothing: null, zero: 0, empty: '', nested: [[{}]] };
    await store.save(agent, 'e1', state);
    expect((await store.load(agent, 'e1'))?.state).toEqual(state);
    await store.save(agent, 'e2', null);
    expect(await store.load(agent, 'e2')).toEqual({ version: 1, state: null });
  });

  it('clears an event, and keeps events and agents apart', async () => {
    await store.save(agent, 'e1', 'one');
    await store.save(agent, 'e2', 'two');
    await store.clear(agent, 'e1');
    expect(await store.load(agent, 'e1')).toBeUndefined();
    expect(await store.load(agent, 'e2')).toEqual({ version: 1, state: 'two' });
    expect(await store.load(newAgent(), 'e2')).toBeUndefined();
    expect(await store.save(agent, 'e1', 'again')).toBe(1);
  });

  it('refuses state it cannot store, permanently, storing nothing', async () => {
    await expect(store.save(agent, 'e1', { amount: 10n })).rejects.toBeInstanceOf(CheckpointStateError);
    await expect(store.save(agent, 'e1', undefined)).rejects.toBeInstanceOf(CheckpointStateError);
    expect(await store.load(agent, 'e1')).toBeUndefined();
  });
});

describe('RedisCheckpointStore on the shared Redis', () => {
  let store: RedisCheckpointStore;
  let agent: string;
  beforeEach(() => {
    agent = newAgent();
  });
  afterEach(() => store.close());

  it('writes the record text the pure encoder writes, keeps the last N versions, and sets the TTL', async () => {
    store = RedisCheckpointStore.connect(SHARED_REDIS_URL, quiet, { keyPrefix: CKPT_PREFIX, keepVersions: 2, ttlMs: 60_000 });
    for (let step = 1; step <= 4; step += 1) await store.save(agent, 'e1', { step, text: `"${step}"\n` });
    const key = store.keyOf(agent, 'e1');
    const fields = await admin.hgetall(key);
    expect(Object.keys(fields).sort()).toEqual(['seq', 'v:3', 'v:4']);
    expect(fields['v:4']).toBe(encodeCheckpointRecord(4, JSON.stringify({ step: 4, text: '"4"\n' })));
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('falls back from a tampered newest version to the previous good one, with a warning', async () => {
    const { logger, lines } = captureLogs();
    store = RedisCheckpointStore.connect(SHARED_REDIS_URL, logger, { keyPrefix: CKPT_PREFIX });
    await store.save(agent, 'e1', { step: 1, answer: 'draft' });
    await store.save(agent, 'e1', { step: 2, answer: 'final' });

    const key = store.keyOf(agent, 'e1');
    const stored = JSON.parse((await admin.hget(key, 'v:2')) ?? '{}') as { state: string };
    stored.state = JSON.stringify({ step: 2, answer: 'tampered' }); // the hash is left as it was
    await admin.hset(key, 'v:2', JSON.stringify(stored));

    const eventLogger = logger.child({ eventId: 'e1', correlationId: 'c-1' });
    expect(await store.load(agent, 'e1', eventLogger)).toEqual({ version: 1, state: { step: 1, answer: 'draft' } });
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ correlationId: 'c-1', agent, resumedFromVersion: 1, skipped: [{ version: 2, reason: 'hash-mismatch' }] });

    // Truncated JSON is skipped the same way; a later save still gets a fresh number.
    await admin.hset(key, 'v:2', '{"version":2,"sha');
    expect((await store.load(agent, 'e1'))?.version).toBe(1);
    expect(await store.save(agent, 'e1', { step: 3 })).toBe(3);
    expect(await store.load(agent, 'e1')).toEqual({ version: 3, state: { step: 3 } });
  });

  it('with every version corrupted, starts from scratch and says so', async () => {
    const { logger, lines } = captureLogs();
    store = RedisCheckpointStore.connect(SHARED_REDIS_URL, logger, { keyPrefix: CKPT_PREFIX });
    await store.save(agent, 'e1', { step: 1 });
    await admin.hset(store.keyOf(agent, 'e1'), 'v:1', 'not json');
    expect(await store.load(agent, 'e1')).toBeUndefined();
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).toEqual(['no checkpoint version passed its integrity check; starting from scratch']);
  });

  it('closes its own connection', async () => {
    store = RedisCheckpointStore.connect(SHARED_REDIS_URL, quiet, { keyPrefix: CKPT_PREFIX });
    await store.save(agent, 'e1', 1);
    await store.close();
    await expect(store.load(agent, 'e1')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
