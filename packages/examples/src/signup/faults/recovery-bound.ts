import type { Saga, SagaRetryPolicy, SagaStep } from '@agentmesh/coordinator';

/**
 * How long after the faults end a saga may still legitimately take to end.
 *
 * When the last fault is over (the last killed process is back and ready),
 * a saga can still be waiting on:
 *  - one deadline armed during the faults: a command that went to a dead
 *    participant, or whose reply was lost, is only noticed when its deadline
 *    passes (at most the longest step or compensation timeout);
 *  - the faults injected by design: a step whose participant hangs on
 *    purpose (the welcome email) may time out on every attempt, with its
 *    back-offs in between, before the saga is turned back;
 *  - a grace for what takes no fixed time: a retry's back-off, a
 *    compensation's round trips, the coordinator's timer ticks, a group
 *    rebalance.
 *
 * For the signup saga, with the email step hanging: 5 s (longest deadline)
 * + 3 x 2 s + 0.75 s + 2.25 s (the email step's attempts and widest
 * back-offs) + grace. A saga that ends later than that after the faults was
 * held up by the faults themselves: a partition nobody drives, a timer lost.
 */

export interface RecoveryBoundOptions {
  /** Steps whose participant hangs by design (each may use its whole retry budget). */
  hangingSteps: readonly string[];
  /** Grace on top. */
  graceMs: number;
}

/** The widest delay before retry `retry` (1 = after the first attempt): the last delay is reused, jitter widens it by up to `jitter`. */
export function widestRetryDelayMs(policy: SagaRetryPolicy, retry: number): number {
  if (policy.delaysMs.length === 0) return 0;
  const base = policy.delaysMs[Math.min(retry, policy.delaysMs.length) - 1]!;
  return base * (1 + policy.jitter);
}

/** A step's whole forward budget: every attempt timing out, with the widest back-off between attempts. */
export function stepRetryBudgetMs(step: Pick<SagaStep, 'timeoutMs' | 'retry'>): number {
  let total = step.retry.maxAttempts * step.timeoutMs;
  for (let retry = 1; retry < step.retry.maxAttempts; retry++) total += widestRetryDelayMs(step.retry, retry);
  return Math.round(total);
}

/** The longest deadline any command of the saga carries (a step's, or a compensation's). */
export function longestDeadlineMs(saga: Pick<Saga, 'steps'>): number {
  let longest = 0;
  for (const step of saga.steps) longest = Math.max(longest, step.timeoutMs, step.compensation !== undefined ? step.compensationTimeoutMs : 0);
  return longest;
}

/** The bound on how long a saga may still take to end once the faults are over (see the module's comment). */
export function recoveryBoundMs(saga: Pick<Saga, 'steps'>, options: RecoveryBoundOptions): number {
  const unknown = options.hangingSteps.filter((name) => !saga.steps.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`no step named ${unknown.join(', ')} in the saga`);
  const hanging = saga.steps.filter((s) => options.hangingSteps.includes(s.name)).reduce((sum, step) => sum + stepRetryBudgetMs(step), 0);
  return longestDeadlineMs(saga) + hanging + options.graceMs;
}
