/**
 * Remembers loaded values for a while and shares one in-flight load per key,
 * so a burst of messages to one topic costs one registry round trip. Failed
 * loads are not remembered: the next call tries again.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.value;
    const value = load(key);
    const fresh = { value, expiresAt: this.now() + this.ttlMs };
    this.entries.set(key, fresh);
    value.catch(() => {
      // Only forget our own entry; a newer load may have replaced it meanwhile.
      if (this.entries.get(key) === fresh) this.entries.delete(key);
    });
    return value;
  }

  invalidate(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
