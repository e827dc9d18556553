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
  close(): Promise<void>;
}
