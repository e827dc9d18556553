import { backoffDelayMs } from '../resilience/backoff';

/** How one journaled step is run: its own deadline and retries, inside the handler's. */
export interface StepOptions {
  /** Deadline of one try of the step (its signal aborts then). Default: the handler's deadline only. */
  timeoutMs?: number;
  /** Tries of the step within this handler call before its error is the handler's. Default 1. */
  maxAttempts?: number;
  /** Waits between tries: entry n after the n-th failure, the last reused. Default [200, 1000]. */
  delaysMs?: readonly number[];
}

export const DEFAULT_STEP_DELAYS_MS: readonly number[] = [200, 1_000];

/** The options checked, with defaults filled in; a RangeError names what is wrong. */
export function resolveStepOptions(name: string, options: StepOptions = {}): Required<StepOptions> {
  const resolved = {
    timeoutMs: options.timeoutMs ?? Number.POSITIVE_INFINITY,
    maxAttempts: options.maxAttempts ?? 1,
    delaysMs: options.delaysMs ?? DEFAULT_STEP_DELAYS_MS,
  };
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new RangeError(`a step needs a name of 1 to 200 characters, got ${JSON.stringify(name)}`);
  if (!(resolved.timeoutMs > 0)) throw new RangeError(`step '${name}': timeoutMs must be positive, got ${resolved.timeoutMs}`);
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) throw new RangeError(`step '${name}': maxAttempts must be a whole number >= 1, got ${resolved.maxAttempts}`);
  if (!resolved.delaysMs.every((d) => Number.isFinite(d) && d >= 0)) throw new RangeError(`step '${name}': delaysMs must be non-negative numbers`);
  return resolved;
}

/** The wait before try `attempt + 1` after `attempt` failed, or undefined when the step has no tries left. */
export function nextStepTryInMs(options: Required<StepOptions>, attempt: number, random: number): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  return backoffDelayMs(options.delaysMs, attempt, 0.2, random);
}
