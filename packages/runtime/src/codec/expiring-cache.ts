/**
 * Remembers loaded values for a while and shares one in-flight load per key,
 * so a burst of messages to one topic costs one registry round trip. Failed
 * loads are not remembered: the next call tries again.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expiresAt: number; settled?: { value: V } }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.value;
    const value = load(key);
    const fresh: { value: Promise<V>; expiresAt: number; settled?: { value: V } } = { value, expiresAt: this.now() + this.ttlMs };
    this.entries.set(key, fresh);
    value.then(
      (loaded) => {
        fresh.settled = { value: loaded };
      },
      () => {
        // Only forget our own entry; a newer load may have replaced it meanwhile.
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      },
    );
    return value;
  }

  /**
   * The value `get` would return now, without a promise, when it is loaded and
   * not expired; undefined when `get` would have to wait (or load). Lets a hot
   * path skip a microtask per call when the cache is warm.
   */
  peek(key: K): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (entry?.settled && entry.expiresAt > this.now()) return entry.settled;
    return undefined;
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
