import { WaitTimeoutError } from '../errors';

/**
 * Resolves with the first value `check` finds, checking now and on every `changed` signal; fails after
 * `timeoutMs` of real time with the message `timedOut()` gives then (what was awaited, what there was).
 */
export function waitUntil<T>(check: () => T | undefined, subscribe: (changed: () => void) => () => void, timeoutMs: number, timedOut: () => string): Promise<T> {
  const found = check();
  if (found !== undefined) return Promise.resolve(found);
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      unsubscribe();
    };
    const timer = setTimeout(() => {
      finish();
      reject(new WaitTimeoutError(timedOut()));
    }, timeoutMs);
    const unsubscribe = subscribe(() => {
      const value = check();
      if (value === undefined) return;
      finish();
      resolve(value);
    });
  });
}

/** `promise`, or a WaitTimeoutError with `message` once `timeoutMs` of real time have passed. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new WaitTimeoutError(message)), timeoutMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
