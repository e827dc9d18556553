import { HandlerTimeoutError } from '../failure/errors';
import { withDeadline } from './deadline';

describe('withDeadline', () => {
  it('returns the result of a call that finishes in time', async () => {
    await expect(withDeadline(1000, async () => 42)).resolves.toBe(42);
  });

  it('rejects a hung call with HandlerTimeoutError and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const hung = withDeadline(50, (signal) => {
      seen = signal;
      return new Promise<never>(() => undefined);
    });
    await expect(hung).rejects.toBeInstanceOf(HandlerTimeoutError);
    expect(seen?.aborted).toBe(true);
  });

  it('passes the call its own errors unchanged', async () => {
    const boom = new RangeError('boom');
    await expect(withDeadline(1000, async () => Promise.reject(boom))).rejects.toBe(boom);
  });
});
