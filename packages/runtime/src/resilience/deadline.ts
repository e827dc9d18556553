import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import { HandlerTimeoutError } from '../failure/errors';

/**
 * Runs `call` with a deadline: its signal aborts at `timeoutMs`, and the
 * result is a HandlerTimeoutError then even if the call ignores the signal
 * (cockatiel's aggressive strategy), so a hung handler never holds a partition.
 */
export async function withDeadline<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  try {
    return await timeout(timeoutMs, TimeoutStrategy.Aggressive).execute(({ signal }) => call(signal));
  } catch (err) {
    // instanceof, not cockatiel's isTaskCancelledError: in 3.2.1 that helper tests the bulkhead flag.
    if (err instanceof TaskCancelledError) throw new HandlerTimeoutError(timeoutMs);
    throw err;
  }
}
