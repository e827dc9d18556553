import { ExpiringCache } from './expiring-cache';

describe('ExpiringCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('loads once per key while fresh, sharing the load in flight', async () => {
    const cache = new ExpiringCache<string, number>(100, clock);
    const load = jest.fn(async () => 42);
    const [a, b] = await Promise.all([cache.get('t', load), cache.get('t', load)]);
    expect([a, b]).toEqual([42, 42]);
    now += 99;
    await cache.get('t', load);
    expect(load).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.get('t', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('forgets a failed load and an invalidated key', async () => {
    const cache = new ExpiringCache<string, number>(100, clock);
    await expect(cache.get('t', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('t', async () => 1)).toBe(1);
    cache.invalidate('t');
    expect(await cache.get('t', async () => 2)).toBe(2);
  });
});
