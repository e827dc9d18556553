import { StoreUnavailableError } from '../redis/errors';
import type { ClaimResult, HeldState, IdempotencyInspection, IdempotencyStore, Outcome, ReplayNote } from './store';
import { DONE_PREFIX, assertPositiveMs, completionValue, heldStateOf, interpretHeldValue, leaseValue, newStoreIdentity, replayNoteKey } from './values';

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
export class MemoryIdempotencyStore implements IdempotencyStore, IdempotencyInspection {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  /** Its own per process: no other process can reach this store, so no other can claim to speak to it. */
  private readonly id = newStoreIdentity('memory');
  private readonly notes = new Map<string, { note: ReplayNote; expiresAt: number }>();
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

  async identity(): Promise<string> {
    this.assertOpen();
    return this.id;
  }

  async existingIdentity(): Promise<string | null> {
    this.assertOpen();
    return this.id;
  }

  async peek(agent: string, eventIds: readonly string[]): Promise<Map<string, HeldState>> {
    this.assertOpen();
    return new Map(eventIds.map((id) => [id, heldStateOf(this.live(keyOf(agent, id))?.value ?? null)]));
  }

  async noteReplays(agent: string, notes: readonly ReplayNote[], ttlMs: number): Promise<void> {
    this.assertOpen();
    assertPositiveMs('ttlMs', ttlMs);
    for (const note of notes) this.notes.set(keyOf(agent, replayNoteKey(note)), { note, expiresAt: this.now() + ttlMs });
  }

  async replayNotes(agent: string, records: ReadonlyArray<{ partition: number; offset: string }>): Promise<Map<string, ReplayNote>> {
    this.assertOpen();
    const found = new Map<string, ReplayNote>();
    for (const record of records) {
      const key = keyOf(agent, replayNoteKey(record));
      const held = this.notes.get(key);
      if (held !== undefined && held.expiresAt <= this.now()) this.notes.delete(key);
      else if (held !== undefined) found.set(replayNoteKey(record), held.note);
    }
    return found;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.entries.clear();
    this.notes.clear();
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
