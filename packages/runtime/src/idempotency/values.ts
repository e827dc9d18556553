import { randomUUID } from 'node:crypto';
import type { ClaimResult, HeldState, Outcome, ReplayNote } from './store';

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

/**
 * The outcome of a `done:<outcome>` value. A completion written by a newer version with an outcome we do
 * not know is still a completion: the handler must not run again, so it reads as processed.
 */
function completedOutcome(value: string): Outcome {
  const outcome = value.slice(DONE_PREFIX.length);
  return OUTCOMES.has(outcome) ? (outcome as Outcome) : 'processed';
}

/** How a read-only look reads a key's value (null: no key); anything that is neither lease nor completion is free, as a claim would take it. */
export function heldStateOf(value: string | null): HeldState {
  if (value === null) return { state: 'free' };
  if (value.startsWith(DONE_PREFIX)) return { state: 'done', outcome: completedOutcome(value) };
  if (value.startsWith(LEASE_PREFIX)) return { state: 'leased', owner: value.slice(LEASE_PREFIX.length) };
  return { state: 'free' };
}

/** A fresh store identity: the kind of store, then a random UUID. */
export function newStoreIdentity(kind: 'redis' | 'memory'): string {
  return `${kind}:${randomUUID()}`;
}

/** Names one DLQ record of an agent (its topic is always `<agent>.dlq`): `<partition>@<offset>`. */
export function replayNoteKey(record: { partition: number; offset: string }): string {
  return `${record.partition}@${record.offset}`;
}

export function encodeReplayNote(note: ReplayNote): string {
  return JSON.stringify({ eventId: note.eventId, replay: note.replay });
}

/** A note's stored value read back for its record; undefined when it is not one of ours. */
export function decodeReplayNote(record: { partition: number; offset: string }, value: string | null): ReplayNote | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value) as { eventId?: unknown; replay?: unknown } | null;
    if (typeof parsed?.eventId !== 'string' || typeof parsed.replay !== 'string') return undefined;
    return { partition: record.partition, offset: record.offset, eventId: parsed.eventId, replay: parsed.replay };
  } catch {
    return undefined;
  }
}

/** How a claim by `owner` reads the value the key holds after the claim. */
export function interpretHeldValue(held: string, owner: string): ClaimResult {
  if (held.startsWith(DONE_PREFIX)) return { state: 'done', outcome: completedOutcome(held) };
  const holder = held.startsWith(LEASE_PREFIX) ? held.slice(LEASE_PREFIX.length) : held;
  return holder === owner ? { state: 'acquired' } : { state: 'busy', owner: holder };
}

/** Leases and TTLs must be whole positive milliseconds: Redis rejects anything else mid-batch. */
export function assertPositiveMs(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer of milliseconds, got ${value}`);
}
