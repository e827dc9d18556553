import type { SagaState } from '@agentmesh/coordinator';
import { resumePlan, resumeProgress } from './resume';

const T0 = Date.parse('2025-06-01T12:00:00Z');

function stuck(over: Partial<SagaState> = {}): SagaState {
  return {
    id: 's',
    type: 'order',
    version: 5,
    status: 'compensation_failed',
    homePartition: 0,
    startedAt: T0,
    updatedAt: T0,
    trigger: { topic: 't', partition: 0, offset: '0', eventId: 'e' },
    correlationId: 'c',
    data: { topic: 't', bytes: '' },
    steps: [
      { name: 'reserve', status: 'compensation_failed', attempts: 1, compensationAttempts: 2, mayHaveTakenEffect: true },
      { name: 'charge', status: 'failed', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: false },
    ],
    inFlight: null,
    wakeAt: null,
    pivotPassed: false,
    timeline: [{ at: T0, type: 'STUCK', step: 'reserve', detail: 'compensation_failed: ledger offline' }],
    ...over,
  };
}

describe('resumeProgress', () => {
  const requested = stuck({ version: 6, resumeRequestedAt: T0 + 10, wakeAt: T0 + 10 });

  it('waits while the request is not consumed', () => {
    expect(resumeProgress(requested, requested)).toEqual({ phase: 'waiting' });
    expect(resumeProgress(requested, undefined)).toEqual({ phase: 'gone' });
  });

  it('follows the saga once its owner acted', () => {
    const moving = stuck({ version: 7, status: 'compensating' });
    expect(resumeProgress(requested, moving)).toEqual({ phase: 'moving', state: moving });
    const done = stuck({ version: 8, status: 'compensated' });
    expect(resumeProgress(requested, done)).toEqual({ phase: 'finished', state: done });
  });

  it('says why when the saga is stuck again', () => {
    const again = stuck({
      version: 9,
      timeline: [...requested.timeline, { at: T0 + 20, type: 'RESUMED' }, { at: T0 + 90, type: 'STUCK', step: 'reserve', detail: 'compensation_failed: still offline' }],
    });
    expect(resumeProgress(requested, again)).toEqual({ phase: 'stuck-again', state: again, reason: 'compensation_failed: still offline' });
  });
});

describe('resumePlan', () => {
  it('names the compensation or the step to retry', () => {
    expect(resumePlan(stuck())).toBe("retry the compensation of step 'reserve' (with a fresh retry budget), then go on compensating");
    const forward = stuck({
      status: 'forward_failed',
      steps: [
        { name: 'reserve', status: 'succeeded', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: true },
        { name: 'ship', status: 'running', attempts: 3, compensationAttempts: 0, mayHaveTakenEffect: false },
      ],
    });
    expect(resumePlan(forward)).toBe("retry step 'ship' (with a fresh retry budget), then go on forward");
  });
});
