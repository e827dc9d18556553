import { assertPositiveMs, completionValue, interpretHeldValue, isIdempotencyValue, leaseValue } from './values';

describe('idempotency key values', () => {
  it('reads a lease as acquired for its owner and busy for anyone else', () => {
    expect(interpretHeldValue(leaseValue('worker-a:1'), 'worker-a:1')).toEqual({ state: 'acquired' });
    expect(interpretHeldValue(leaseValue('worker-a:1'), 'worker-b:2')).toEqual({ state: 'busy', owner: 'worker-a:1' });
  });

  it('reads a completion as done with its outcome, whoever asks', () => {
    expect(interpretHeldValue(completionValue('degraded'), 'anyone')).toEqual({ state: 'done', outcome: 'degraded' });
    expect(interpretHeldValue(completionValue('dead-lettered'), 'anyone')).toEqual({ state: 'done', outcome: 'dead-lettered' });
  });

  it('still treats a completion with an outcome it does not know as done', () => {
    expect(interpretHeldValue('done:archived-by-a-newer-version', 'x')).toEqual({ state: 'done', outcome: 'processed' });
  });

  it('recognizes only its own value shapes', () => {
    expect(isIdempotencyValue('lease:x')).toBe(true);
    expect(isIdempotencyValue('done:processed')).toBe(true);
    expect(isIdempotencyValue('1')).toBe(false);
  });

  it('refuses lease and TTL values Redis would reject', () => {
    expect(() => assertPositiveMs('leaseMs', 0)).toThrow(RangeError);
    expect(() => assertPositiveMs('leaseMs', 1.5)).toThrow(RangeError);
    expect(() => assertPositiveMs('ttlMs', 1000)).not.toThrow();
  });
});
