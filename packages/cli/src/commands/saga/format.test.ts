import type { SagaState, SagaStatus } from '@agentmesh/coordinator';
import { currentStep, formatDuration, formatOffset, newestFirst, renderCounts, renderSagaDetail, renderSagaTable, sagaDetailJson, sagaSummaryJson, statusesFor } from './format';

const T0 = Date.parse('2025-06-01T12:00:00Z');
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function sagaState(over: Partial<SagaState> = {}): SagaState {
  return {
    id: 'saga-1',
    type: 'order',
    version: 3,
    status: 'running',
    homePartition: 2,
    startedAt: T0,
    updatedAt: T0 + 40,
    trigger: { topic: 'orders.placed', partition: 0, offset: '7', eventId: 'evt-7' },
    correlationId: 'corr-1',
    traceparent: TRACEPARENT,
    data: { topic: 'orders.reserve', bytes: Buffer.from('{"order":"o-1"}').toString('base64') },
    steps: [
      { name: 'reserve', status: 'succeeded', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: true },
      { name: 'charge', status: 'running', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: false },
    ],
    inFlight: { step: 1, kind: 'execute', attempt: 1, eventId: 'cmd-1', sentAt: T0 + 40, deadlineAt: T0 + 5040 },
    wakeAt: T0 + 5040,
    pivotPassed: false,
    timeline: [
      { at: T0, type: 'STARTED', detail: 'trigger orders.placed[0]@7' },
      { at: T0 + 12, type: 'STEP_STARTED', step: 'reserve', kind: 'execute', attempt: 1 },
      { at: T0 + 30, type: 'STEP_SUCCEEDED', step: 'reserve', kind: 'execute', attempt: 1 },
      { at: T0 + 40, type: 'STEP_STARTED', step: 'charge', kind: 'execute', attempt: 1 },
    ],
    ...over,
  };
}

const stuckState = () =>
  sagaState({
    status: 'compensation_failed',
    failedStep: 1,
    inFlight: null,
    wakeAt: null,
    updatedAt: T0 + 1_500,
    steps: [
      { name: 'reserve', status: 'compensation_failed', attempts: 1, compensationAttempts: 2, mayHaveTakenEffect: true, lastError: 'ledger offline' },
      { name: 'charge', status: 'failed', attempts: 1, compensationAttempts: 0, mayHaveTakenEffect: false, lastError: 'PermanentError: card declined' },
    ],
    timeline: [
      { at: T0, type: 'STARTED', detail: 'trigger orders.placed[0]@7' },
      { at: T0 + 1_250, type: 'STEP_FAILED', step: 'charge', kind: 'execute', attempt: 1, detail: 'permanent: PermanentError: card declined' },
      { at: T0 + 1_500, type: 'STUCK', step: 'reserve', detail: "compensation_failed: compensation of 'reserve' failed 2 attempt(s): ledger offline" },
    ],
  });

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [4_260, '4.2s'],
    [42_000, '42s'],
    [600_000, '10m'],
    [725_000, '12m5s'],
    [3 * 3_600_000 + 4 * 60_000, '3h4m'],
    [7 * 86_400_000, '7d'],
    [2 * 86_400_000 + 3 * 3_600_000, '2d3h'],
    [-5, '0ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formats timeline offsets in seconds', () => {
    expect(formatOffset(0)).toBe('+0.000s');
    expect(formatOffset(1_234)).toBe('+1.234s');
  });
});

describe('statusesFor', () => {
  it('expands stuck, keeps one status, and means all without a filter', () => {
    expect(statusesFor('stuck')).toEqual(['compensation_failed', 'forward_failed']);
    expect(statusesFor('completed')).toEqual(['completed']);
    expect(statusesFor(undefined)).toHaveLength(7);
  });
});

describe('currentStep', () => {
  it('names the command awaited', () => {
    expect(currentStep(sagaState())).toBe('charge execute #1');
    expect(currentStep(sagaState({ status: 'compensating', inFlight: { step: 0, kind: 'compensate', attempt: 2, eventId: 'c', sentAt: T0, deadlineAt: T0 } }))).toBe('reserve compensate #2');
  });

  it('names the retry waited for, or the first step of a saga not started yet', () => {
    expect(currentStep(sagaState({ inFlight: null }))).toBe('charge execute #2 (waiting to retry)');
    const fresh = sagaState({ inFlight: null, steps: sagaState().steps.map((s) => ({ ...s, status: 'pending', attempts: 0 })) });
    expect(currentStep(fresh)).toBe('reserve (starting)');
  });

  it('names the step an operator must look at, or the one that turned the saga back', () => {
    expect(currentStep(stuckState())).toBe('reserve compensation failed');
    expect(currentStep(sagaState({ status: 'forward_failed', inFlight: null }))).toBe('charge failed');
    expect(currentStep(sagaState({ status: 'compensated', inFlight: null, failedStep: 1 }))).toBe('charge failed');
    expect(currentStep(sagaState({ status: 'completed', inFlight: null }))).toBe('-');
  });
});

describe('mesh saga ls output', () => {
  it('sorts newest first and renders a row per saga with its age and trace id', () => {
    const older = sagaState({ id: 'saga-0', startedAt: T0 - 60_000 });
    const rows = [older, sagaState()].sort(newestFirst);
    expect(rows.map((s) => s.id)).toEqual(['saga-1', 'saga-0']);
    const table = renderSagaTable(rows, T0 + 90_000).split('\n');
    expect(table[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+STEP\s+AGE\s+TRACE ID$/);
    expect(table[1]).toMatch(/^saga-1\s+order\s+running\s+charge execute #1\s+1m30s\s+4bf92f3577b34da6a3ce929d0e0e4736$/);
    expect(table[2]).toMatch(/^saga-0\s+.*\s+2m30s\s+/);
  });

  it('counts per status, stuck summed', () => {
    const counts: Record<SagaStatus, number> = { running: 1, waiting: 2, compensating: 0, completed: 5, compensated: 2, compensation_failed: 1, forward_failed: 2 };
    expect(renderCounts(counts)).toBe('13 saga(s) by status: running 1, waiting 2, compensating 0, completed 5, compensated 2, compensation_failed 1, forward_failed 2 (stuck: 3)\n');
  });

  it('has a JSON form', () => {
    expect(sagaSummaryJson(sagaState({ traceparent: undefined }), T0 + 1_000)).toEqual({
      id: 'saga-1',
      type: 'order',
      status: 'running',
      step: 'charge execute #1',
      startedAt: '2025-06-01T12:00:00.000Z',
      ageMs: 1_000,
      finishedAt: null,
      traceId: null,
      waitingUntil: null,
    });
  });
});

describe('mesh saga show output', () => {
  it('renders the header, the timeline relative to the start, the steps and the data', () => {
    const text = renderSagaDetail(stuckState(), { topic: 'orders.reserve', bytes: 15, encoding: 'json', value: { order: 'o-1' } }, T0 + 60_000);
    expect(text).toContain('saga saga-1\ntype:          order\nstatus:        compensation_failed\n');
    expect(text).toContain('started:       2025-06-01T12:00:00.000Z (1m ago)');
    expect(text).toContain('duration:      stuck since 2025-06-01T12:00:01.500Z, 1.5s after it started (waiting for `mesh saga resume saga-1`)');
    expect(text).toContain('trace id:      4bf92f3577b34da6a3ce929d0e0e4736');
    expect(text).toContain('trigger:       orders.placed partition 0 offset 7, event id evt-7');
    expect(text).toContain('failed step:   charge');
    expect(text).toMatch(/\n {2}AT\s+EVENT\s+STEP\s+KIND\s+ATTEMPT\s+DETAIL\n {2}\+0\.000s\s+STARTED\s+-\s+-\s+-\s+trigger orders\.placed\[0\]@7\n/);
    expect(text).toMatch(/\n {2}\+1\.250s\s+STEP_FAILED\s+charge\s+execute\s+1\s+permanent: PermanentError: card declined\n/);
    expect(text).toMatch(/\n {2}1\s+reserve\s+compensation_failed\s+1\s+2\s+ledger offline\n/);
    expect(text).toContain('data (json, for topic orders.reserve, 15 bytes):\n  {\n    "order": "o-1"\n  }\n');
  });

  it('shows a finished saga with its duration, and data it could not decode with the reason', () => {
    const done = sagaState({ status: 'completed', inFlight: null, wakeAt: null, finishedAt: T0 + 2_000 });
    const text = renderSagaDetail(done, { topic: 't', bytes: 9, error: 'Avro (schema id 7): pass --registry to decode it' }, T0 + 5_000);
    expect(text).toContain('duration:      2.0s (finished 2025-06-01T12:00:02.000Z)');
    expect(text).toContain('data (for topic t, 9 bytes): not decoded: Avro (schema id 7): pass --registry to decode it\n');
    expect(text).not.toContain('failed step:');
  });

  it('has a JSON form: the state, its trace id and the decoded data', () => {
    const json = sagaDetailJson(stuckState(), { topic: 't', bytes: 2, encoding: 'json', value: {} });
    expect(json).toMatchObject({
      id: 'saga-1',
      status: 'compensation_failed',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      step: 'reserve compensation failed',
      data: { topic: 't', bytes: 2, value: {} },
    });
  });
});
