import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { MemoryIdempotencyStore } from './memory-store';
import { RedisIdempotencyStore } from './redis-store';
import type { IdempotencyInspection, IdempotencyStore } from './store';
import { decodeReplayNote, encodeReplayNote, heldStateOf, replayNoteKey } from './values';

// The store's identity and what `mesh dlq` reads and notes in it, on both stores.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = pino({ level: 'silent' });

describe('store values for mesh dlq', () => {
  it('read a key without claiming it', () => {
    expect(heldStateOf(null)).toEqual({ state: 'free' });
    expect(heldStateOf('lease:worker-1')).toEqual({ state: 'leased', owner: 'worker-1' });
    expect(heldStateOf('done:dead-lettered')).toEqual({ state: 'done', outcome: 'dead-lettered' });
    expect(heldStateOf('done:archived')).toEqual({ state: 'done', outcome: 'processed' }); // a newer outcome is still a completion
    expect(heldStateOf('something else')).toEqual({ state: 'free' });
  });

  it('keep replay notes with their event id, and ignore values that are not notes', () => {
    const note = { partition: 2, offset: '41', eventId: 'e-1', replay: 'replay-0badf00d@2025-06-01T12:00:00.000Z' };
    expect(replayNoteKey(note)).toBe('2@41');
    expect(decodeReplayNote({ partition: 2, offset: '41' }, encodeReplayNote(note))).toEqual(note);
    expect(decodeReplayNote({ partition: 2, offset: '41' }, null)).toBeUndefined();
    expect(decodeReplayNote({ partition: 2, offset: '41' }, 'done:processed')).toBeUndefined();
    expect(decodeReplayNote({ partition: 2, offset: '41' }, '{"eventId":3}')).toBeUndefined();
  });
});

type Store = IdempotencyStore & IdempotencyInspection;

const prefixes: string[] = [];
const implementations: Array<[string, () => Store]> = [
  ['memory', () => new MemoryIdempotencyStore()],
  [
    'redis',
    () => {
      const keyPrefix = `test:inspect:${randomBytes(4).toString('hex')}`;
      prefixes.push(keyPrefix);
      return RedisIdempotencyStore.connect(REDIS_URL, quiet, { keyPrefix });
    },
  ],
];

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await redis.quit();
});

describe.each(implementations)('IdempotencyStore inspection (%s)', (kind, open) => {
  let store: Store;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  it('has one identity, created by the first to ask, of its kind', async () => {
    if (kind === 'redis') expect(await store.existingIdentity()).toBeNull(); // nothing created by merely looking
    const id = await store.identity();
    expect(id).toMatch(new RegExp(`^${kind}:[0-9a-f-]{36}$`));
    expect(await store.identity()).toBe(id);
    expect(await store.existingIdentity()).toBe(id);
  });

  it('peeks at completions and leases without taking a lease', async () => {
    await store.claim('a', ['leased'], 'worker-1', 60_000);
    await store.complete('a', [{ eventId: 'done', outcome: 'dead-lettered' }], 60_000);
    const seen = await store.peek('a', ['leased', 'done', 'free']);
    expect(Object.fromEntries(seen)).toEqual({ leased: { state: 'leased', owner: 'worker-1' }, done: { state: 'done', outcome: 'dead-lettered' }, free: { state: 'free' } });
    // Still free: a peek is no claim.
    expect((await store.claim('a', ['free'], 'worker-2', 60_000)).get('free')).toEqual({ state: 'acquired' });
    expect(await store.peek('a', [])).toEqual(new Map());
  });

  it('notes replayed DLQ records per agent, apart from event keys', async () => {
    const note = { partition: 0, offset: '7', eventId: 'e-7', replay: 'replay-1@t' };
    await store.noteReplays('a', [note, { ...note, offset: '8', eventId: 'e-8' }], 60_000);
    const found = await store.replayNotes('a', [
      { partition: 0, offset: '7' },
      { partition: 0, offset: '9' },
    ]);
    expect(Object.fromEntries(found)).toEqual({ '0@7': note });
    expect(await store.replayNotes('b', [{ partition: 0, offset: '7' }])).toEqual(new Map());
    // A note is not an event's completion or lease.
    expect(Object.fromEntries(await store.peek('a', ['0@7', 'e-7']))).toEqual({ '0@7': { state: 'free' }, 'e-7': { state: 'free' } });
  });
});

describe('RedisIdempotencyStore identity', () => {
  it('is one per Redis and key prefix', async () => {
    const keyPrefix = `test:inspect:${randomBytes(4).toString('hex')}`;
    prefixes.push(keyPrefix, `${keyPrefix}-other`);
    const one = RedisIdempotencyStore.connect(REDIS_URL, quiet, { keyPrefix });
    const two = RedisIdempotencyStore.connect(REDIS_URL, quiet, { keyPrefix });
    const other = RedisIdempotencyStore.connect(REDIS_URL, quiet, { keyPrefix: `${keyPrefix}-other` });
    try {
      const [a, b] = await Promise.all([one.identity(), two.identity()]);
      expect(a).toBe(b);
      expect(await other.identity()).not.toBe(a);
    } finally {
      await Promise.all([one.close(), two.close(), other.close()]);
    }
  });
});
