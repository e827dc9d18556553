import { HandlerTimeoutError } from '../failure/errors';
import { DeadlineQueue } from './deadline';

/** One call under a deadline of its own. */
const withDeadline = <T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> => new DeadlineQueue(timeoutMs).run((deadline) => call(deadline.signal));

describe('a call under a deadline', () => {
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

describe('DeadlineQueue', () => {
  it('expires only the calls past their deadline, in order, on one timer', async () => {
    const queue = new DeadlineQueue(40);
    const order: string[] = [];
    const hung = queue
      .run(() => new Promise<never>(() => undefined))
      .catch((e: unknown) => {
        order.push('hung');
        throw e;
      });
    const quick = queue.run(async () => 'quick');
    await expect(quick).resolves.toBe('quick');
    const later = queue
      .run(() => new Promise<never>(() => undefined))
      .catch((e: unknown) => {
        order.push('later');
        throw e;
      });
    await expect(hung).rejects.toBeInstanceOf(HandlerTimeoutError);
    await expect(later).rejects.toBeInstanceOf(HandlerTimeoutError);
    expect(order).toEqual(['hung', 'later']);
    expect(queue.pending).toBe(0);
  });

  it('hands a call that asks for its signal after expiring an aborted one', async () => {
    const queue = new DeadlineQueue(20);
    let view: { readonly signal: AbortSignal } | undefined;
    const hung = queue.run((deadline) => {
      view = deadline;
      return new Promise<never>(() => undefined);
    });
    await expect(hung).rejects.toBeInstanceOf(HandlerTimeoutError);
    expect(view?.signal.aborted).toBe(true);
    expect(view?.signal.reason).toBeInstanceOf(HandlerTimeoutError);
  });

  it('does not abort the signal of a call that finished in time', async () => {
    const queue = new DeadlineQueue(20);
    let view: { readonly signal: AbortSignal } | undefined;
    await queue.run(async (deadline) => {
      view = deadline;
      return 1;
    });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(view?.signal.aborted).toBe(false);
  });

  it('settles a call that throws synchronously with its error', async () => {
    const queue = new DeadlineQueue(1000);
    const boom = new TypeError('sync');
    await expect(
      queue.run(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(queue.pending).toBe(0);
  });

  it('keeps expiring calls started long after the first ones', async () => {
    const queue = new DeadlineQueue(15);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.allSettled([queue.run(() => new Promise<never>(() => undefined)), queue.run(async () => round)]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    }
    expect(queue.pending).toBe(0);
  });
});
