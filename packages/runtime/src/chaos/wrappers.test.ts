import { isImmediate, type ImmediateCodec } from '../codec/codec';
import { SchemaRegistryUnavailableError } from '../codec/errors';
import { JsonCodec } from '../codec/json-codec';
import { MemoryIdempotencyStore } from '../idempotency/memory-store';
import { StoreUnavailableError } from '../redis/errors';
import { BreakerRegistry } from '../resilience/breakers';
import { ChaosFaults, ChaosInjectedError } from './faults';
import { chaosBreaker, chaosCodec, chaosStore } from './wrappers';

describe('chaos wrappers', () => {
  let now = 0;
  const faults = () => new ChaosFaults(() => now);
  beforeEach(() => (now = 0));

  it('the codec keeps its immediate answers, and fails as the registry being away while the outage lasts', async () => {
    const f = faults();
    const codec = chaosCodec(new JsonCodec(), f);
    expect(isImmediate(codec)).toBe(true);
    expect((codec as ImmediateCodec).decodeNow('t', Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    f.begin({ commandId: 'c', fault: 'REGISTRY_OUTAGE', target: null, delayMs: 0, endsAt: 10 });
    expect(() => (codec as ImmediateCodec).decodeNow('t', Buffer.from('{}'))).toThrow(SchemaRegistryUnavailableError);
    await expect(codec.encode('t', {})).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
    now = 10;
    await expect(codec.encode('t', { a: 1 })).resolves.toEqual(Buffer.from('{"a":1}'));
    expect(f.end('c')).toEqual({ refusedCalls: 2 });
  });

  it('the store is unreachable while a Redis outage lasts', async () => {
    const f = faults();
    const store = chaosStore(new MemoryIdempotencyStore(), f);
    f.begin({ commandId: 'c', fault: 'REDIS_OUTAGE', target: null, delayMs: 0, endsAt: 10 });
    await expect(store.claim('a', ['e1'], 'me', 1_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    now = 10;
    expect((await store.claim('a', ['e1'], 'me', 1_000)).get('e1')).toEqual({ state: 'acquired' });
  });

  it('a failed call counts against the breaker, so it opens and the worker blames the dependency', async () => {
    const f = faults();
    const opened: string[] = [];
    const breakers = new BreakerRegistry({ db: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } }, { onOpen: (name) => opened.push(name), onStateChange: () => undefined });
    f.begin({ commandId: 'c', fault: 'FAIL', target: 'db', delayMs: 0, endsAt: 10 });
    const call = jest.fn(() => Promise.resolve('done'));
    const error = await chaosBreaker(breakers.forCall('db', new AbortController().signal), 'db', f)
      .execute(call)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChaosInjectedError);
    expect(call).not.toHaveBeenCalled();
    expect(opened).toEqual(['db']);
    expect(breakers.blamesDependency(error)).toBe(true);
  });
});
