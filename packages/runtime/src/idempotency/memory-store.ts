import { StoreUnavailableError } from '../redis/errors';
import type { ClaimResult, IdempotencyStore, Outcome } from './store';
import { DONE_PREFIX, assertPositiveMs, completionValue, interpretHeldValue, leaseValue } from './values';

export interface MemoryIdempotencyStoreOptions {
  /** The clock, in ms; tests pass a fake one to expire leases without waiting. Default Date.now. */
  now?: () => number;
}

interface Entry {
  /** The same `lease:<owner>` / `done:<outcome>` strings the Redis store keeps. */
  value: string;
  expiresAt: number;
}

/** Expired entries are dropped on access, and all at once at most this often, so memory stays bounded by the TTLs. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The idempotency store kept in this process: same semantics as the Redis one
 * (leases, completions, TTLs), but duplicates are only suppressed within this
 * process and forgotten on restart. For a machine with no Redis, and for tests.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private nextSweepAt: number;
  private closed = false;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.nextSweepAt = this.now() + SWEEP_INTERVAL_MS;
  }

  /** Live entries, after dropping the expired (for tests and diagnostics). */
  get size(): number {
    this.sweep(true);
    return this.entries.size;
  }

  async claim(agent: string, eventIds: readonly string[], owner: string, leaseMs: number): Promise<Map<string, ClaimResult>> {
    this.assertOpen();
    assertPositiveMs('leaseMs', leaseMs);
    this.sweep(false);
    const lease = leaseValue(owner);
    const results = new Map<string, ClaimResult>();
    for (const eventId of eventIds) {
      const key = keyOf(agent, eventId);
      const entry = this.live(key);
      if (!entry) {
        this.entries.set(key, { value: lease, expiresAt: this.now() + leaseMs });
      } else if (entry.value === lease) {
        entry.expiresAt = this.now() + leaseMs; // our own lease, redelivered to us: renew it
      }
      results.set(eventId, interpretHeldValue(this.entries.get(key)?.value ?? lease, owner));
    }
    return results;
  }

  async complete(agent: string, completions: ReadonlyArray<{ eventId: string; outcome: Outcome }>, ttlMs: number): Promise<void> {
    this.assertOpen();
    assertPositiveMs('ttlMs', ttlMs);
    for (const { eventId, outcome } of completions) {
      this.entries.set(keyOf(agent, eventId), { value: completionValue(outcome), expiresAt: this.now() + ttlMs });
    }
  }

  async release(agent: string, eventIds: readonly string[], owner: string): Promise<void> {
    this.assertOpen();
    const lease = leaseValue(owner);
    for (const eventId of eventIds) {
      const key = keyOf(agent, eventId);
      if (this.live(key)?.value === lease) this.entries.delete(key);
    }
  }

  async forget(agent: string, eventIds: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const eventId of eventIds) {
      const key = keyOf(agent, eventId);
      if (this.live(key)?.value.startsWith(DONE_PREFIX)) this.entries.delete(key);
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(force: boolean): void {
    const now = this.now();
    if (!force && now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('idempotency', 'the store is closed');
  }
}

function keyOf(agent: string, eventId: string): string {
  return `${agent}\u0000${eventId}`;
}
