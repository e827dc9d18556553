import type { FailureKind } from './classify';
import { backoffDelayMs } from '../resilience/backoff';

export interface RetryPolicy {
  /** One fixed delay per retry tier; the last tier is reused for further attempts. */
  delaysMs: number[];
  /** Deliveries in all, the first one included. */
  maxAttempts: number;
  /** Spread of each delay, 0..1: 0.5 draws from [0.5d, 1.5d]. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { delaysMs: [1_000, 10_000, 60_000], maxAttempts: 5, jitter: 0.5 };

export type FailureAction =
  | { action: 'retry'; tier: number; delayMs: number }
  | { action: 'dead-letter'; reason: 'permanent' | 'invalid-input' | 'invalid-output' | 'exhausted' }
  | { action: 'degrade'; reason: 'permanent' | 'invalid-output' | 'exhausted' };

export interface FailureSituation {
  kind: FailureKind;
  /** The delivery that failed, 1 for the first. */
  attempt: number;
  policy: RetryPolicy;
  /** A non-critical agent with a fallback degrades instead of dead-lettering. */
  canDegrade: boolean;
  /** Random number in [0, 1) for jitter; injectable for tests. */
  random: number;
}

/** The retry tier for the retry after `attempt` failed deliveries. */
export function tierFor(attempt: number, tiers: number): number {
  return Math.min(attempt - 1, tiers - 1);
}

/**
 * What to do with a failed event. Invalid input is never retried; permanent
 * errors and exhausted retries end in the DLQ, or in a degraded output for
 * non-critical agents; everything else goes to the next retry tier.
 */
export function decideFailure(s: FailureSituation): FailureAction {
  if (s.kind === 'invalid-input') return { action: 'dead-letter', reason: 'invalid-input' };
  if (s.kind === 'permanent') return s.canDegrade ? { action: 'degrade', reason: 'permanent' } : { action: 'dead-letter', reason: 'permanent' };
  // Every declared alternative has had its go: running them all again would give the same answers.
  if (s.kind === 'invalid-output') return s.canDegrade ? { action: 'degrade', reason: 'invalid-output' } : { action: 'dead-letter', reason: 'invalid-output' };
  if (s.attempt >= s.policy.maxAttempts || s.policy.delaysMs.length === 0) {
    return s.canDegrade ? { action: 'degrade', reason: 'exhausted' } : { action: 'dead-letter', reason: 'exhausted' };
  }
  const tier = tierFor(s.attempt, s.policy.delaysMs.length);
  return { action: 'retry', tier, delayMs: backoffDelayMs(s.policy.delaysMs, s.attempt, s.policy.jitter, s.random) };
}
