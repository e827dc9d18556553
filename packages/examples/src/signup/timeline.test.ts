import type { SagaState } from '@agentmesh/coordinator';
import { describeEntry, formatSagaState } from './timeline';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 0);

/** A signup saga whose welcome email timed out twice, then was compensated. */
function compensatedByTimeout(): SagaState {
  return {
    id: 'signup-acc-7-hang',
    type: 'account-signup',
    version: 19,
    status: 'compensated',
    homePartition: 4,
    startedAt: T0,
    updatedAt: T0 + 4_321,
    finishedAt: T0 + 4_321,
    trigger: { topic: 'accounts.signups', partition: 1, offset: '12', eventId: 'ev-1' },
    correlationId: 'corr-1',
    data: { topic: 'emails.welcome.send', bytes: '' },
    steps: [
      { name: 'create-user', status: 'compensated', attempts: 1, compensationAttempts: 1, mayHaveTakenEffect: true },
      { name: 'create-subscription', status: 'compensated', attempts: 1, compensationAttempts: 1, mayHaveTakenEffect: true },
      { name: 'send-welcome-email', status: 'not_compensated', attempts: 2, compensationAttempts: 0, mayHaveTakenEffect: true, lastError: 'no reply within 2000 ms' },
    ],
    inFlight: null,
    wakeAt: null,
    failedStep: 2,
    pivotPassed: false,
    timeline: [
      { at: T0, type: 'STARTED', detail: 'trigger accounts.signups[1]@12' },
      { at: T0 + 5, type: 'STEP_STARTED', step: 'create-user', kind: 'execute', attempt: 1 },
      { at: T0 + 20, type: 'STEP_SUCCEEDED', step: 'create-user', kind: 'execute', attempt: 1 },
      { at: T0 + 20, type: 'STEP_STARTED', step: 'create-subscription', kind: 'execute', attempt: 1 },
      { at: T0 + 31, type: 'STEP_SUCCEEDED', step: 'create-subscription', kind: 'execute', attempt: 1 },
      { at: T0 + 31, type: 'STEP_STARTED', step: 'send-welcome-email', kind: 'execute', attempt: 1 },
      { at: T0 + 2_040, type: 'STEP_TIMED_OUT', step: 'send-welcome-email', kind: 'execute', attempt: 1, detail: 'no reply within 2000 ms' },
      { at: T0 + 2_040, type: 'STEP_RETRY_SCHEDULED', step: 'send-welcome-email', kind: 'execute', attempt: 2, detail: 'in 250 ms' },
      { at: T0 + 2_100, type: 'REPLY_IGNORED', step: 'send-welcome-email', kind: 'execute', attempt: 1, detail: 'late failed reply' },
      { at: T0 + 2_300, type: 'STEP_STARTED', step: 'send-welcome-email', kind: 'execute', attempt: 2 },
      { at: T0 + 4_300, type: 'STEP_TIMED_OUT', step: 'send-welcome-email', kind: 'execute', attempt: 2, detail: 'no reply within 2000 ms' },
      { at: T0 + 4_300, type: 'COMPENSATING', step: 'send-welcome-email', detail: "step 'send-welcome-email' failed 2 attempt(s): no reply within 2000 ms" },
      { at: T0 + 4_300, type: 'COMPENSATION_STARTED', step: 'create-subscription', kind: 'compensate', attempt: 1 },
      { at: T0 + 4_310, type: 'STEP_COMPENSATED', step: 'create-subscription', kind: 'compensate', attempt: 1 },
      { at: T0 + 4_310, type: 'COMPENSATION_STARTED', step: 'create-user', kind: 'compensate', attempt: 1 },
      { at: T0 + 4_321, type: 'STEP_COMPENSATED', step: 'create-user', kind: 'compensate', attempt: 1 },
      { at: T0 + 4_321, type: 'COMPENSATED' },
    ],
  };
}

describe('formatting a saga the way `mesh saga show` does', () => {
  it('prints the header, the steps and the timeline with times since the start', () => {
    expect(formatSagaState(compensatedByTimeout())).toBe(
      [
        'saga signup-acc-7-hang',
        '  type         account-signup',
        '  status       compensated',
        '  started      2025-01-02T03:04:05.000Z',
        '  finished     2025-01-02T03:04:09.321Z (4.32 s)',
        '  trigger      accounts.signups[1]@12',
        '  correlation  corr-1',
        '  failed step  send-welcome-email',
        '',
        'steps',
        '  #  step                 status           attempts  compensations  last error',
        '  1  create-user          compensated      1         1',
        '  2  create-subscription  compensated      1         1',
        '  3  send-welcome-email   not_compensated  2         0              no reply within 2000 ms',
        '',
        'timeline',
        '  +0 ms    STARTED               trigger accounts.signups[1]@12',
        '  +5 ms    STEP_STARTED          create-user execute #1',
        '  +20 ms   STEP_SUCCEEDED        create-user execute #1',
        '  +20 ms   STEP_STARTED          create-subscription execute #1',
        '  +31 ms   STEP_SUCCEEDED        create-subscription execute #1',
        '  +31 ms   STEP_STARTED          send-welcome-email execute #1',
        '  +2.04 s  STEP_TIMED_OUT        send-welcome-email execute #1: no reply within 2000 ms',
        '  +2.04 s  STEP_RETRY_SCHEDULED  send-welcome-email execute #2: in 250 ms',
        '  +2.10 s  REPLY_IGNORED         send-welcome-email execute #1: late failed reply',
        '  +2.30 s  STEP_STARTED          send-welcome-email execute #2',
        '  +4.30 s  STEP_TIMED_OUT        send-welcome-email execute #2: no reply within 2000 ms',
        "  +4.30 s  COMPENSATING          send-welcome-email: step 'send-welcome-email' failed 2 attempt(s): no reply within 2000 ms",
        '  +4.30 s  COMPENSATION_STARTED  create-subscription compensate #1',
        '  +4.31 s  STEP_COMPENSATED      create-subscription compensate #1',
        '  +4.31 s  COMPENSATION_STARTED  create-user compensate #1',
        '  +4.32 s  STEP_COMPENSATED      create-user compensate #1',
        '  +4.32 s  COMPENSATED',
        '',
      ].join('\n'),
    );
  });

  it('shows what a running saga waits on, cuts long details and counts dropped entries', () => {
    const state = compensatedByTimeout();
    state.status = 'running';
    delete state.finishedAt;
    state.inFlight = { step: 2, kind: 'execute', attempt: 3, eventId: 'e', sentAt: T0 + 5_000, deadlineAt: T0 + 7_000 };
    state.steps[2]!.lastError = 'x'.repeat(500);
    state.timelineDropped = 7;
    const text = formatSagaState(state, { maxDetail: 40 });
    expect(text).toContain('  updated      2025-01-02T03:04:09.321Z\n');
    expect(text).toContain('  waiting on   send-welcome-email execute #3, deadline 2025-01-02T03:04:12.000Z\n');
    expect(text).toContain(`${'x'.repeat(37)}...\n`);
    expect(text).toContain('  (7 older entries dropped)\n');
  });

  it('describes entries with and without step, kind, attempt and detail', () => {
    expect(describeEntry({ at: 0, type: 'COMPENSATED' })).toBe('');
    expect(describeEntry({ at: 0, type: 'RESUMED', detail: 'nothing to resume' })).toBe('nothing to resume');
    expect(describeEntry({ at: 0, type: 'STUCK', step: 'create-user', detail: 'why' })).toBe('create-user: why');
    expect(describeEntry({ at: 0, type: 'STEP_STARTED', step: 'a', kind: 'compensate', attempt: 2 })).toBe('a compensate #2');
  });
});
