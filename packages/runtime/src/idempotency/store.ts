/**
 * Remembers which events an agent has finished, so a redelivered event has
 * its effect once. A lease marks an event being processed by one instance;
 * a completion marks it done (with its outcome) for a TTL.
 */
export type Outcome = 'processed' | 'degraded' | 'dead-lettered';

export type ClaimResult =
  /** The lease is ours: process it. */
  | { state: 'acquired' }
  /** Finished before: acknowledge without calling the handler. */
  | { state: 'done'; outcome: Outcome }
  /** Another live instance holds the lease: leave it for now. */
  | { state: 'busy'; owner: string };

export interface IdempotencyStore {
  readonly kind: 'redis' | 'memory';
  /** One round trip for the whole batch. */
  claim(agent: string, eventIds: readonly string[], owner: string, leaseMs: number): Promise<Map<string, ClaimResult>>;
  /** Marks events done, durably, in one round trip; replaces their leases. */
  complete(agent: string, completions: ReadonlyArray<{ eventId: string; outcome: Outcome }>, ttlMs: number): Promise<void>;
  /** Gives up leases we hold (the event went to a retry topic and will be claimed again there). */
  release(agent: string, eventIds: readonly string[], owner: string): Promise<void>;
  /** Forgets a completion, so a replayed dead letter is processed again. */
  forget(agent: string, eventIds: readonly string[]): Promise<void>;
  /** Resolves when the store answers; rejects when it is unreachable (readiness, pausing). */
  ping(): Promise<void>;
  /**
   * The store's identity: a random id kept in the store itself, created by the first process that asks
   * (so every process on the same Redis and key prefix reads the same one). Agents announce it in their
   * heartbeats, and `mesh dlq replay` refuses to forget completions in a store whose identity differs.
   */
  identity(): Promise<string>;
  close(): Promise<void>;
}

/** What an event's key holds, read without changing it. */
export type HeldState = { state: 'free' } | { state: 'leased'; owner: string } | { state: 'done'; outcome: Outcome };

/** `mesh dlq replay` sent a dead letter (DLQ partition and offset) back to its agent: kept in the agent's store beside its completions. */
export interface ReplayNote {
  partition: number;
  offset: string;
  /** The dead letter's event id (a note whose id differs belongs to an earlier topic of the same name). */
  eventId: string;
  /** The run's `mesh-replay` marker. */
  replay: string;
}

/** What `mesh dlq` asks of an agent's store besides the worker's operations; none of it writes an event's own key. */
export interface IdempotencyInspection {
  /** The identity the store holds, without creating one: null when no process has asked for it (or the store was emptied since). */
  existingIdentity(): Promise<string | null>;
  /** What each event's key holds, in one round trip, read-only. */
  peek(agent: string, eventIds: readonly string[]): Promise<Map<string, HeldState>>;
  /** Notes that these dead letters were replayed, each kept for `ttlMs`. */
  noteReplays(agent: string, notes: readonly ReplayNote[], ttlMs: number): Promise<void>;
  /** The notes of these DLQ records that were replayed, keyed by replayNoteKey; the others are absent. */
  replayNotes(agent: string, records: ReadonlyArray<{ partition: number; offset: string }>): Promise<Map<string, ReplayNote>>;
}

export type InspectableIdempotencyStore = IdempotencyStore & IdempotencyInspection;
