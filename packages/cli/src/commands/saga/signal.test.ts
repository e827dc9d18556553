import type { SagaState } from '@agentmesh/coordinator';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../../options';
import { parseValueFlag, signalProgress, signalRequestOf } from './signal';
import { currentStep, renderSagaDetail, sagaSummaryJson, waitOf } from './format';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const DEADLINE = T0 + 2 * 24 * 3600_000;

function waiting(over: Partial<SagaState> = {}): SagaState {
  return {
    id: 'saga-1',
    type: 'order',
    version: 4,
    status: 'waiting',
    homePartition: 0,
    startedAt: T0,
    updatedAt: T0 + 30,
    trigger: { topic: 'orders.placed', partition: 0, offset: '7', eventId: 'evt-7' },
    correlationId: 'corr-1',
    data: { topic: 'orders.reserve', bytes: Buffer.from('{"order":"o-1"}').toString('base64') },
    steps: [
      { name: 'reserve', status: 'succeeded', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: true },
      { name: 'approve', status: 'waiting', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: false },
    ],
    inFlight: null,
    waiting: { step: 1, since: T0 + 30, deadlineAt: DEADLINE },
    wakeAt: DEADLINE,
    pivotPassed: false,
    timeline: [
      { at: T0, type: 'STARTED' },
      { at: T0 + 30, type: 'WAITING', step: 'approve' },
    ],
    ...over,
  };
}

describe('mesh saga signal', () => {
  it('takes exactly one of --approve and --reject, and a JSON object as --value', () => {
    expect(signalRequestOf('s', 'approve', { approve: true, value: { by: 'ann' }, reason: 'ok' })).toEqual({ sagaId: 's', step: 'approve', decision: 'approve', value: { by: 'ann' }, reason: 'ok' });
    expect(signalRequestOf('s', 'approve', { reject: true, id: 'x' })).toEqual({ sagaId: 's', step: 'approve', decision: 'reject', signalId: 'x' });
    expect(() => signalRequestOf('s', 'approve', {})).toThrow(UsageError);
    expect(parseValueFlag('{"by":"ann"}')).toEqual({ by: 'ann' });
    expect(() => parseValueFlag('"ann"')).toThrow(InvalidArgumentError);
    expect(() => parseValueFlag('{by}')).toThrow(/not JSON/);
  });

  it('reads what became of a signal from the saga state', () => {
    expect(signalProgress(undefined, 'sig')).toEqual({ phase: 'gone' });
    expect(signalProgress(waiting({ pendingSignals: [{ id: 'sig', step: 'approve', decision: 'approve', at: T0 }] }), 'sig')).toEqual({ phase: 'pending' });
    const applied = waiting({ status: 'running', seenSignals: ['sig'], timeline: [{ at: T0 + 40, type: 'SIGNAL_APPLIED', step: 'approve', detail: 'approved (sig): ok' }] });
    expect(signalProgress(applied, 'sig')).toMatchObject({ phase: 'applied', detail: 'approved (sig): ok' });
    const ignored = waiting({ seenSignals: ['sig'], timeline: [{ at: T0 + 40, type: 'SIGNAL_IGNORED', step: 'ship', detail: "approve sig: not waiting on 'ship'" }] });
    expect(signalProgress(ignored, 'sig')).toMatchObject({ phase: 'ignored', detail: "approve sig: not waiting on 'ship'" });
    expect(signalProgress(waiting({ status: 'completed' }), 'sig')).toMatchObject({ phase: 'ignored', detail: 'the saga is completed: it takes no signals' });
  });
});

describe('waiting sagas in ls and show', () => {
  it('name the wait step and its deadline', () => {
    const state = waiting();
    expect(waitOf(state)).toEqual({ step: 'approve', since: T0 + 30, deadlineAt: DEADLINE });
    expect(waitOf(waiting({ status: 'running' }))).toBeUndefined();
    expect(currentStep(state)).toBe('approve (waiting for a signal until 2025-06-03T12:00:00.000Z)');
    expect(sagaSummaryJson(state, T0 + 60).waitingUntil).toBe('2025-06-03T12:00:00.000Z');
    const detail = renderSagaDetail(waiting({ dataPatch: { by: 'ann' } }), { topic: 'orders.reserve', bytes: 15, encoding: 'json', value: { order: 'o-1' } }, T0 + 24 * 3600_000);
    expect(detail).toContain('waiting for:   a signal on step approve (mesh saga signal saga-1 approve --approve|--reject), since 2025-06-01T12:00:00.030Z; deadline 2025-06-03T12:00:00.000Z (in 1d)');
    expect(detail).toContain('data patch:    {"by":"ann"} (from signals; merged into the data the next commands carry)');
  });
});
