import type { ClaimResult, Outcome } from './store';

/**
 * What an idempotency key holds, shared by the Redis and in-process stores so
 * both read the same way: `lease:<owner>` while an instance processes the event,
 * `done:<outcome>` once it is finished.
 */
export const LEASE_PREFIX = 'lease:';
export const DONE_PREFIX = 'done:';

const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['processed', 'degraded', 'dead-lettered']);

export function leaseValue(owner: string): string {
  return LEASE_PREFIX + owner;
}

export function completionValue(outcome: Outcome): string {
  return DONE_PREFIX + outcome;
}

/** True for values this module writes; anything else under our key is overwritten by a new lease. */
export function isIdempotencyValue(value: string): boolean {
  return value.startsWith(LEASE_PREFIX) || value.startsWith(DONE_PREFIX);
}

/** How a claim by `owner` reads the value the key holds after the claim. */
export function interpretHeldValue(held: string, owner: string): ClaimResult {
  if (held.startsWith(DONE_PREFIX)) {
    const outcome = held.slice(DONE_PREFIX.length);
    // A completion written by a newer version with an outcome we do not know is still a completion:
    // the handler must not run again, so report it as processed.
    return { state: 'done', outcome: OUTCOMES.has(outcome) ? (outcome as Outcome) : 'processed' };
  }
  const holder = held.startsWith(LEASE_PREFIX) ? held.slice(LEASE_PREFIX.length) : held;
  return holder === owner ? { state: 'acquired' } : { state: 'busy', owner: holder };
}

/** Leases and TTLs must be whole positive milliseconds: Redis rejects anything else mid-batch. */
export function assertPositiveMs(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer of milliseconds, got ${value}`);
}
