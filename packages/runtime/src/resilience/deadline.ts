import { TaskCancelledError, TimeoutStrategy, timeout, type TimeoutPolicy } from 'cockatiel';
import { HandlerTimeoutError } from '../failure/errors';

// One policy per deadline length, and no abort when a call returns in time: aborting builds an
// exception per call, which the pipeline benchmark showed as ~9% of the mesh's CPU.
const policies = new Map<number, TimeoutPolicy>();

function policyFor(timeoutMs: number): TimeoutPolicy {
  let policy = policies.get(timeoutMs);
  if (!policy) {
    policy = timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    policies.set(timeoutMs, policy);
  }
  return policy;
}

/**
 * Runs `call` with a deadline: its signal aborts at `timeoutMs`, and the
 * result is a HandlerTimeoutError then even if the call ignores the signal
 * (cockatiel's aggressive strategy), so a hung handler never holds a partition.
 */
export async function withDeadline<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await policyFor(timeoutMs).execute(({ signal }) => call(signal));
  } catch (err) {
    // instanceof, not cockatiel's isTaskCancelledError: in 3.2.1 that helper tests the bulkhead flag.
    if (err instanceof TaskCancelledError) throw new HandlerTimeoutError(timeoutMs);
    throw err;
  }
}
