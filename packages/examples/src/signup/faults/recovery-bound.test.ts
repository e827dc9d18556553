import { defineSaga } from '@agentmesh/coordinator';
import { accountSignupSaga, SignupSteps } from '../saga';
import { longestDeadlineMs, recoveryBoundMs, stepRetryBudgetMs, widestRetryDelayMs } from './recovery-bound';

describe('the recovery bound', () => {
  it('widens each retry delay by its jitter, reusing the last delay', () => {
    const policy = { delaysMs: [500, 1_500], maxAttempts: 4, jitter: 0.5 };
    expect([1, 2, 3].map((retry) => widestRetryDelayMs(policy, retry))).toEqual([750, 2_250, 2_250]);
    expect(widestRetryDelayMs({ delaysMs: [], maxAttempts: 2, jitter: 0 }, 1)).toBe(0);
  });

  it("of the signup saga: the longest deadline, the email step's whole retry budget, and the grace", () => {
    const email = accountSignupSaga.steps.find((s) => s.name === SignupSteps.sendWelcomeEmail)!;
    // 3 attempts of 2 s, back-offs of at most 0.75 s and 2.25 s.
    expect(stepRetryBudgetMs(email)).toBe(9_000);
    expect(longestDeadlineMs(accountSignupSaga)).toBe(5_000);
    expect(recoveryBoundMs(accountSignupSaga, { hangingSteps: [SignupSteps.sendWelcomeEmail], graceMs: 3_000 })).toBe(17_000);
    expect(recoveryBoundMs(accountSignupSaga, { hangingSteps: [], graceMs: 0 })).toBe(5_000);
  });

  it('counts compensation deadlines, and refuses a step the saga does not have', () => {
    const saga = defineSaga({ name: 's', trigger: 't', steps: [{ name: 'a', command: 'a', compensation: 'undo-a', timeoutMs: 1_000, compensationTimeoutMs: 8_000 }] });
    expect(longestDeadlineMs(saga)).toBe(8_000);
    expect(() => recoveryBoundMs(saga, { hangingSteps: ['b'], graceMs: 0 })).toThrow(/no step named b/);
  });
});
