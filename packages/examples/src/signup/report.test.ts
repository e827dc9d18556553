import type { SagaState, SagaStatus, StepState, TimelineEntry } from '@agentmesh/coordinator';
import { checkSagaEffects, emailMayHaveBeenSent, failureOfFailedStep } from './effects-check';
import { effectsOf, type SignupEffect } from './ledger';
import { buildSignupReport, renderSignupReport, signupReportOk } from './report';

const STEPS = ['create-user', 'create-subscription', 'send-welcome-email'];

/** A saga as the report reads it: status, steps, and how the email step ended. */
function saga(id: string, status: SagaStatus, email: { attempts: number; ended?: 'failed' | 'timed_out'; tookEffect?: boolean } = { attempts: 1 }): SagaState {
  const steps: StepState[] = STEPS.map((name) => ({
    name,
    status: status === 'completed' ? 'succeeded' : 'compensated',
    attempts: 1,
    compensationAttempts: status === 'completed' ? 0 : 1,
    mayHaveTakenEffect: true,
  }));
  steps[2] = {
    name: STEPS[2]!,
    status: status === 'completed' ? 'succeeded' : 'not_compensated',
    attempts: email.attempts,
    compensationAttempts: 0,
    mayHaveTakenEffect: email.tookEffect ?? status === 'completed',
  };
  const timeline: TimelineEntry[] = [{ at: 0, type: 'STARTED' }];
  if (email.ended) timeline.push({ at: 1, type: email.ended === 'failed' ? 'STEP_FAILED' : 'STEP_TIMED_OUT', step: STEPS[2], kind: 'execute', attempt: email.attempts });
  return {
    id,
    type: 'account-signup',
    version: 1,
    status,
    homePartition: 0,
    startedAt: 0,
    updatedAt: 1,
    trigger: { topic: 'accounts.signups', partition: 0, offset: '0', eventId: 'e' },
    correlationId: 'c',
    data: { topic: 'users.create', bytes: '' },
    steps,
    inFlight: null,
    wakeAt: null,
    ...(email.ended ? { failedStep: 2 } : {}),
    pivotPassed: false,
    timeline,
  };
}

const effects = effectsOf;

const COMPLETED: SignupEffect[] = ['user.created', 'subscription.created', 'email.sent'];
const UNDONE: SignupEffect[] = ['user.created', 'subscription.created', 'subscription.cancelled', 'user.deleted'];

describe('checking a saga against its effects', () => {
  it('wants user, subscription and email once each, in order, from a completed saga', () => {
    expect(checkSagaEffects(saga('a', 'completed'), effects(COMPLETED))).toEqual([]);
    expect(checkSagaEffects(saga('a', 'completed'), effects(['user.created', 'subscription.created']))).toEqual([
      'completed, but its effects were user.created, subscription.created (expected user.created, subscription.created, email.sent)',
    ]);
    expect(checkSagaEffects(saga('a', 'completed'), effects([...COMPLETED, 'email.sent']))).toHaveLength(1);
  });

  it('wants a compensated saga to undo what it made, newest first, after everything else', () => {
    const failed = saga('b', 'compensated', { attempts: 1, ended: 'failed' });
    expect(checkSagaEffects(failed, effects(UNDONE))).toEqual([]);
    expect(checkSagaEffects(failed, effects(['user.created', 'subscription.created', 'user.deleted', 'subscription.cancelled']))).toEqual([
      'compensated, but undone user.deleted, subscription.cancelled, expected subscription.cancelled, user.deleted',
    ]);
    expect(checkSagaEffects(failed, effects(['user.created', 'subscription.created', 'subscription.cancelled']))).toEqual([
      'compensated, but undone subscription.cancelled, expected subscription.cancelled, user.deleted',
    ]);
    expect(checkSagaEffects(failed, effects(['user.created', 'user.deleted']))).toEqual([]);
    expect(checkSagaEffects(failed, effects([]))).toEqual([]);
    expect(checkSagaEffects(failed, effects(['user.created', 'subscription.cancelled', 'subscription.created', 'user.deleted'])).join()).toMatch(/before the last step's effect/);
  });

  it('allows the email of a compensated saga only when its step timed out (it cannot be unsent)', () => {
    const withEmail: SignupEffect[] = ['user.created', 'subscription.created', 'email.sent', 'subscription.cancelled', 'user.deleted'];
    const timedOut = saga('c', 'compensated', { attempts: 3, ended: 'timed_out', tookEffect: true });
    expect(emailMayHaveBeenSent(timedOut)).toBe(true);
    expect(checkSagaEffects(timedOut, effects(withEmail))).toEqual([]);
    const failed = saga('d', 'compensated', { attempts: 1, ended: 'failed' });
    expect(checkSagaEffects(failed, effects(withEmail))).toEqual(['compensated, but a welcome email went out, yet the email step never succeeded or timed out']);
  });

  it('reads how the failed step ended from the timeline', () => {
    expect(failureOfFailedStep(saga('c', 'compensated', { attempts: 3, ended: 'timed_out' }))).toBe('timed_out');
    expect(failureOfFailedStep(saga('d', 'compensated', { attempts: 1, ended: 'failed' }))).toBe('failed');
    expect(failureOfFailedStep(saga('e', 'completed'))).toBeUndefined();
    // The participant's own call timed out: it says so in the reply.
    const told = saga('f', 'compensated', { attempts: 1, ended: 'failed' });
    told.timeline[1]!.detail = 'timeout: EmailProviderTimeoutError: no answer';
    expect(failureOfFailedStep(told)).toBe('timed_out');
  });

  it('does not check sagas that have not ended', () => {
    expect(checkSagaEffects(saga('f', 'running'), effects(['user.deleted']))).toEqual([]);
  });
});

describe('the signup report', () => {
  const faults = { markedFail: 0, markedHang: 1, rates: { seed: 's', failRate: 0.1, hangRate: 0.05 } };

  it('counts outcomes, causes, retries and repeats, and checks the ledger', () => {
    const states = [
      saga('ok-1', 'completed'),
      saga('ok-2', 'completed', { attempts: 2 }),
      saga('bounced', 'compensated', { attempts: 1, ended: 'failed' }),
      saga('hung', 'compensated', { attempts: 3, ended: 'timed_out', tookEffect: true }),
      saga('late', 'compensated', { attempts: 3, ended: 'timed_out', tookEffect: true }),
      saga('stuck', 'compensation_failed'),
      undefined,
    ];
    const ids = ['ok-1', 'ok-2', 'bounced', 'hung', 'late', 'stuck', 'lost'];
    const report = buildSignupReport({
      sagaIds: ids,
      states,
      effects: new Map([
        ['ok-1', effects(COMPLETED)],
        ['ok-2', effects(COMPLETED, 1)],
        ['bounced', effects(UNDONE)],
        ['hung', effects(UNDONE)],
        ['late', effects(['user.created', 'subscription.created', 'email.sent', 'subscription.cancelled', 'user.deleted'], 2)],
      ]),
      faults,
      elapsedMs: 12_345,
    });
    expect(report).toMatchObject({
      published: 7,
      started: 6,
      completed: 2,
      compensated: 3,
      compensatedBecause: { emailFailed: 1, emailTimedOut: 2, other: 0 },
      stuck: 1,
      stuckByStatus: { compensation_failed: 1 },
      unfinished: ['lost'],
      emailRetries: 1 + 2 + 2,
      repeatsRefused: 3,
      emailsSentBeforeCompensation: 1,
      ledger: { completedChecked: 2, completedOk: 2, compensatedChecked: 3, compensatedOk: 3, problems: [] },
    });
    expect(signupReportOk(report)).toBe(false);
    const text = renderSignupReport(report);
    expect(text).toContain('Account signup saga: 7 signups in 12.3 s\n');
    expect(text).toContain('  compensated                  3  (email failed: 1, email timed out: 2)\n');
    expect(text).toContain('  stuck                        1  (compensation_failed: 1)\n');
    expect(text).toContain('  not finished                 1\n');
    expect(text).toContain('  completed: user, subscription, email each once  2 of 2 ok\n');
    expect(text).toContain('1 marked -hang; others fail 10.0% and hang 5.0% of sends');
    expect(text).toContain('Not finished within the wait: lost');
  });

  it('lists the ledger problems of the sagas that disagree with their outcome', () => {
    const report = buildSignupReport({ sagaIds: ['a'], states: [saga('a', 'completed')], effects: new Map([['a', effects(['user.created'])]]), faults, elapsedMs: 1 });
    expect(report.ledger).toMatchObject({ completedChecked: 1, completedOk: 0 });
    expect(signupReportOk(report)).toBe(false);
    const text = renderSignupReport(report);
    expect(text).toContain('  completed: user, subscription, email each once  0 of 1 NOT ok\n');
    expect(text).toContain('\n    a: completed, but its effects were user.created (expected user.created, subscription.created, email.sent)\n');
  });
});
