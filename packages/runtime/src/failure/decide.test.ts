import { classifyError } from './classify';
import { DEFAULT_RETRY_POLICY, decideFailure, tierFor, type FailureSituation } from './decide';
import { HandlerTimeoutError, InvalidInputError, InvalidOutputError, InvalidOutputsError, PermanentError } from './errors';

const situation = (over: Partial<FailureSituation>): FailureSituation => ({
  kind: 'transient',
  attempt: 1,
  policy: { delaysMs: [1000, 10000], maxAttempts: 4, jitter: 0 },
  canDegrade: false,
  random: 0.5,
  ...over,
});

describe('classifyError', () => {
  it('sorts errors into the four kinds', () => {
    expect(classifyError(new PermanentError('bad vat number'))).toBe('permanent');
    expect(classifyError(new InvalidInputError('not avro'))).toBe('invalid-input');
    expect(classifyError(new HandlerTimeoutError(100))).toBe('timeout');
    expect(classifyError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyError(new TypeError('undefined is not a function'))).toBe('transient');
    expect(classifyError('a string thrown')).toBe('transient');
  });

  it('lets the agent override, and falls back when it abstains', () => {
    const custom = (e: unknown) => (e instanceof RangeError ? ('permanent' as const) : undefined);
    expect(classifyError(new RangeError('x'), custom)).toBe('permanent');
    expect(classifyError(new PermanentError('x'), custom)).toBe('permanent');
    expect(classifyError(new Error('x'), custom)).toBe('transient');
  });
});

describe('decideFailure', () => {
  it('sends transient failures through the tiers, reusing the last one', () => {
    expect(decideFailure(situation({ attempt: 1 }))).toEqual({ action: 'retry', tier: 0, delayMs: 1000 });
    expect(decideFailure(situation({ attempt: 2 }))).toEqual({ action: 'retry', tier: 1, delayMs: 10000 });
    expect(decideFailure(situation({ attempt: 3, kind: 'timeout' }))).toEqual({ action: 'retry', tier: 1, delayMs: 10000 });
  });

  it('dead-letters when attempts are exhausted, or degrades when the agent may', () => {
    expect(decideFailure(situation({ attempt: 4 }))).toEqual({ action: 'dead-letter', reason: 'exhausted' });
    expect(decideFailure(situation({ attempt: 4, canDegrade: true }))).toEqual({ action: 'degrade', reason: 'exhausted' });
  });

  it('never retries permanent errors or invalid input', () => {
    expect(decideFailure(situation({ kind: 'permanent' }))).toEqual({ action: 'dead-letter', reason: 'permanent' });
    expect(decideFailure(situation({ kind: 'permanent', canDegrade: true }))).toEqual({ action: 'degrade', reason: 'permanent' });
    expect(decideFailure(situation({ kind: 'invalid-input', canDegrade: true }))).toEqual({ action: 'dead-letter', reason: 'invalid-input' });
    // Every declared alternative has answered wrongly already: dead-lettered (or degraded), never retried.
    expect(decideFailure(situation({ kind: 'invalid-output', attempt: 1 }))).toEqual({ action: 'dead-letter', reason: 'invalid-output' });
    expect(decideFailure(situation({ kind: 'invalid-output', canDegrade: true }))).toEqual({ action: 'degrade', reason: 'invalid-output' });
    expect(classifyError(new InvalidOutputsError([{ by: 'handler', problem: 'bad label' }]))).toBe('invalid-output');
    expect(classifyError(new InvalidOutputError('illegal topic'))).toBe('permanent');
  });

  it("retries in the attempt's tier, the last reused, with the tier's delay jittered", () => {
    expect(tierFor(10, DEFAULT_RETRY_POLICY.delaysMs.length)).toBe(2);
    const policy = { delaysMs: [1000, 5000], maxAttempts: 10, jitter: 0.5 };
    expect(decideFailure(situation({ attempt: 1, policy, random: 0 }))).toEqual({ action: 'retry', tier: 0, delayMs: 500 });
    expect(decideFailure(situation({ attempt: 7, policy, random: 0.999999 }))).toEqual({ action: 'retry', tier: 1, delayMs: 7500 });
  });
});
