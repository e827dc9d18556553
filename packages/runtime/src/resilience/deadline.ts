import { HandlerTimeoutError } from '../failure/errors';

/**
 * Runs `call` with a deadline: its signal aborts at `timeoutMs`, and the
 * result is a HandlerTimeoutError then even if the call ignores the signal,
 * so a hung handler never holds a partition.
 *
 * Hand-written (one AbortController, one timer, one promise per call) rather than
 * cockatiel's aggressive TimeoutPolicy, whose derived controllers, event emitters,
 * executor wrappers and race were ~6% of the mesh's CPU in the pipeline benchmark.
 * As before, the signal is not aborted when the call returns in time (an abort
 * builds an exception), and the timer is referenced while the call runs.
 */
export function withDeadline<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      controller.abort();
      reject(new HandlerTimeoutError(timeoutMs));
    }, timeoutMs);
    const done = (value: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const failed = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    let pending: Promise<T>;
    try {
      pending = call(controller.signal);
    } catch (error) {
      failed(error);
      return;
    }
    Promise.resolve(pending).then(done, failed);
  });
}
