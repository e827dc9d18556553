import pino from 'pino';
import { StoreUnavailableError } from '../redis/errors';
import { MemoryIdempotencyStore } from './memory-store';
import { NO_REDIS_WARNING, openIdempotencyStore } from './open';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryIdempotencyStore', () => {
  it('expires a lease at leaseMs, so another owner can take the event', async () => {
    const clock = fakeClock();
    const store = new MemoryIdempotencyStore({ now: clock.now });
    await store.claim('a', ['e1'], 'one', 1000);
    clock.advance(999);
    expect((await store.claim('a', ['e1'], 'two', 1000)).get('e1')).toEqual({ state: 'busy', owner: 'one' });
    clock.advance(1);
    expect((await store.claim('a', ['e1'], 'two', 1000)).get('e1')).toEqual({ state: 'acquired' });
  });

  it('renews the lease when its owner claims again', async () => {
    const clock = fakeClock();
    const store = new MemoryIdempotencyStore({ now: clock.now });
    await store.claim('a', ['e1'], 'one', 1000);
    clock.advance(800);
    await store.claim('a', ['e1'], 'one', 1000);
    clock.advance(800);
    expect((await store.claim('a', ['e1'], 'two', 1000)).get('e1')).toEqual({ state: 'busy', owner: 'one' });
  });

  it('drops expired entries, so memory is bounded by the TTLs', async () => {
    const clock = fakeClock();
    const store = new MemoryIdempotencyStore({ now: clock.now });
    const ids = Array.from({ length: 100 }, (_, i) => `e${i}`);
    await store.claim('a', ids, 'one', 1000);
    await store.complete(
      'a',
      ids.slice(0, 10).map((eventId) => ({ eventId, outcome: 'processed' as const })),
      5000,
    );
    expect(store.size).toBe(100);
    clock.advance(1000);
    expect(store.size).toBe(10);
    clock.advance(4000);
    expect(store.size).toBe(0);
  });

  it('keeps agents apart', async () => {
    const store = new MemoryIdempotencyStore();
    await store.complete('a', [{ eventId: 'e1', outcome: 'processed' }], 60_000);
    expect((await store.claim('b', ['e1'], 'one', 1000)).get('e1')).toEqual({ state: 'acquired' });
  });

  it('rejects every call once closed', async () => {
    const store = new MemoryIdempotencyStore();
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.claim('a', ['e1'], 'one', 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('openIdempotencyStore', () => {
  function capture() {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
    return { lines, logger };
  }

  it('without a URL, uses memory and warns exactly once', async () => {
    const { lines, logger } = capture();
    const store = openIdempotencyStore({ logger });
    expect(store.kind).toBe('memory');
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.msg)).toEqual([NO_REDIS_WARNING]);
    await store.close();
  });

  it('treats an empty REDIS_URL as none', async () => {
    const { logger } = capture();
    const store = openIdempotencyStore({ redisUrl: '  ', logger });
    expect(store.kind).toBe('memory');
    await store.close();
  });
});
