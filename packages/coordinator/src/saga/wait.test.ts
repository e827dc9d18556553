import { commandEventId } from '../protocol/ids';
import { newSagaState } from './create';
import { defineSaga } from './define';
import { MAX_PENDING_SIGNALS, withPendingSignal } from './signals';
import type { CommandEffect, EncodedData, SagaSignal, SagaState, TransitionResult } from './state';
import { transition } from './transition';
import type { Saga, SagaStepDefinition, SagaWaitTimeout } from './types';

const T0 = 1_700_000_000_000;
const SAGA_ID = 'saga-w';
const DAY = 24 * 3600_000;
const DATA0: EncodedData = { topic: 'reserve.do', bytes: 'e30=' };

const step = (name: string, over: Partial<SagaStepDefinition> = {}): SagaStepDefinition => ({
  name,
  command: `${name}.do`,
  compensation: `${name}.undo`,
  timeoutMs: 1_000,
  retry: { delaysMs: [100], maxAttempts: 2, jitter: 0 },
  ...over,
});
const approval = (onTimeout: SagaWaitTimeout = 'compensate', over: Partial<SagaStepDefinition> = {}): SagaStepDefinition => ({
  name: 'approve',
  command: 'approvals.requested',
  wait: { timeoutMs: 2 * DAY, onTimeout },
  ...over,
});
const sagaOf = (...steps: SagaStepDefinition[]): Saga => defineSaga({ name: 'order', trigger: 'orders.placed', steps });

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Drives one saga by ticks, replies and recorded signals; every transition is checked not to touch its input. */
class Run {
  state: SagaState;
  now = T0;
  constructor(readonly saga: Saga) {
    this.state = newSagaState(saga, {
      id: SAGA_ID,
      homePartition: 0,
      now: T0,
      trigger: { topic: 'orders.placed', partition: 0, offset: '1', eventId: 'trigger-1' },
      correlationId: 'corr-1',
      data: DATA0,
    });
  }
  private apply(input: Parameters<typeof transition>[2]): TransitionResult {
    const frozen = deepFreeze(structuredClone(this.state));
    const result = transition(this.saga, frozen, input, { now: this.now, random: 0.5 });
    this.state = result.state;
    return result;
  }
  tick(at = this.now): TransitionResult {
    this.now = at;
    return this.apply({ type: 'tick' });
  }
  /** Succeeds the command in flight. */
  ok(): TransitionResult {
    const f = this.state.inFlight!;
    this.now += 10;
    return this.apply({ type: 'reply', step: this.saga.steps[f.step]!.name, kind: f.kind, attempt: f.attempt, outcome: 'succeeded' });
  }
  /** The signal intake records a signal (as the store does), then the owner looks at the saga. */
  signal(signal: Partial<SagaSignal> & Pick<SagaSignal, 'decision'>, after = 1_000): TransitionResult {
    this.now += after;
    const full: SagaSignal = { id: `sig-${signal.decision}`, step: 'approve', at: this.now, ...signal };
    const recorded = withPendingSignal(this.state, full, this.now);
    if ('refused' in recorded) throw new Error(`signal refused: ${recorded.refused}`);
    this.state = recorded.state;
    return this.tick();
  }
  /** Reaches the wait step: reserve succeeds. */
  toWait(): TransitionResult {
    this.tick();
    return this.ok();
  }
}

const commandsOf = (r: TransitionResult): CommandEffect[] => r.effects.filter((e): e is CommandEffect => e.type === 'command');
const eventTypes = (r: TransitionResult): string[] => r.events.map((e) => e.type);

describe('defining a wait step', () => {
  it('fills in the wait and needs no command', () => {
    const saga = sagaOf(step('reserve'), approval({ continueWith: { approved: false } }, { command: undefined }));
    expect(saga.steps[1]).toMatchObject({ name: 'approve', command: undefined, wait: { timeoutMs: 2 * DAY, onTimeout: { continueWith: { approved: false } } } });
  });

  it('refuses what a wait cannot do, all at once', () => {
    expect(() =>
      sagaOf(step('reserve', { pivot: true }), approval('compensate', { compensation: 'x.undo', retry: { maxAttempts: 2 }, wait: { timeoutMs: 0, onTimeout: 'compensate' } }), {
        name: 'later',
        wait: { timeoutMs: 1, onTimeout: 'never' as unknown as SagaWaitTimeout },
      }),
    ).toThrow(
      "saga 'order': step 1 ('approve'): wait.timeoutMs must be positive; step 1 ('approve'): wait.onTimeout cannot be 'compensate' after the pivot step (nothing is compensated past it); step 1 ('approve'): a wait step has nothing to compensate (drop compensation); step 1 ('approve'): a wait step is not retried (drop retry); step 2 ('later'): wait.onTimeout must be 'compensate' or { continueWith?: an object merged into the data }",
    );
  });
});

describe('a wait step', () => {
  const saga = sagaOf(step('reserve'), approval(), step('ship'));

  it('is reached after the step before: the saga waits until the deadline, with its notification sent once and no reply awaited', () => {
    const run = new Run(saga);
    const r = run.toWait();
    expect(r.state).toMatchObject({ status: 'waiting', inFlight: null, waiting: { step: 1, since: run.now, deadlineAt: run.now + 2 * DAY }, wakeAt: run.now + 2 * DAY });
    expect(r.state.steps[1]).toMatchObject({ status: 'waiting', attempts: 1 });
    expect(eventTypes(r)).toEqual(['STEP_SUCCEEDED', 'WAITING']);
    expect(commandsOf(r)).toEqual([
      { type: 'command', step: 1, kind: 'execute', topic: 'approvals.requested', attempt: 1, eventId: commandEventId(SAGA_ID, 'approve', 'execute', 1), deadlineAt: run.now + 2 * DAY },
    ]);
    // Its span ends as it is sent: nothing will answer it.
    expect(r.effects.filter((e) => e.type === 'command-ended' && e.step === 1)).toHaveLength(1);
  });

  it('sends no notification when it names no command', () => {
    const run = new Run(sagaOf(step('reserve'), approval('compensate', { command: undefined })));
    const r = run.toWait();
    expect(commandsOf(r)).toEqual([]);
    expect(r.state.status).toBe('waiting');
  });

  it('sleeps through an early tick, and a reply to its notification changes nothing', () => {
    const run = new Run(saga);
    run.toWait();
    const waiting = run.state;
    expect(run.tick(run.now + DAY).changed).toBe(false);
    const reply = transition(saga, waiting, { type: 'reply', step: 'approve', kind: 'execute', attempt: 1, outcome: 'succeeded' }, { now: run.now, random: 0.5 });
    expect(reply.effects).toEqual([{ type: 'reply-ignored', why: 'not-waiting' }]);
    expect(reply.state).toMatchObject({ status: 'waiting', waiting: waiting.waiting });
  });

  it('approved: the step succeeds, the signal value joins the data patch, and the saga goes on', () => {
    const run = new Run(saga);
    run.toWait();
    const r = run.signal({ decision: 'approve', value: { approvedBy: 'ann' }, reason: 'looks fine' });
    expect(eventTypes(r)).toEqual(['SIGNAL_APPLIED', 'STEP_STARTED']);
    expect(r.events[0]!.detail).toBe('approved (sig-approve): looks fine');
    expect(r.state).toMatchObject({ status: 'running', dataPatch: { approvedBy: 'ann' }, seenSignals: ['sig-approve'] });
    expect(r.state.waiting).toBeUndefined();
    expect(r.state.pendingSignals).toBeUndefined();
    expect(r.state.steps[1]!.status).toBe('succeeded');
    expect(commandsOf(r).map((c) => c.topic)).toEqual(['ship.do']);
    expect(r.effects).toContainEqual({ type: 'signal', outcome: 'applied', step: 'approve' });
    run.ok();
    expect(run.state.status).toBe('completed');
  });

  it('rejected: the step fails for good and what went before is compensated', () => {
    const run = new Run(saga);
    run.toWait();
    const r = run.signal({ decision: 'reject', reason: 'over budget' });
    expect(eventTypes(r)).toEqual(['SIGNAL_APPLIED', 'COMPENSATING', 'COMPENSATION_STARTED']);
    expect(r.state.steps[1]).toMatchObject({ status: 'failed', lastError: 'was rejected: over budget' });
    expect(r.state.failedStep).toBe(1);
    expect(commandsOf(r).map((c) => c.topic)).toEqual(['reserve.undo']);
    run.ok();
    expect(run.state.status).toBe('compensated');
  });

  it('the same signal twice changes nothing: not recorded again, and not applied again', () => {
    const run = new Run(saga);
    run.toWait();
    const applied = run.signal({ decision: 'approve' });
    expect(withPendingSignal(applied.state, { id: 'sig-approve', step: 'approve', decision: 'approve', at: run.now }, run.now)).toEqual({ refused: 'duplicate' });
    // Recorded twice before the owner looked (two intakes racing): applied once.
    const twice = new Run(saga);
    twice.toWait();
    const signal: SagaSignal = { id: 's1', step: 'approve', decision: 'approve', at: twice.now + 1, waitBegunAt: twice.state.waiting!.since };
    twice.state = { ...twice.state, pendingSignals: [signal, signal] };
    const r = twice.tick(twice.now + 1);
    expect(r.effects.filter((e) => e.type === 'signal')).toEqual([{ type: 'signal', outcome: 'applied', step: 'approve' }]);
    expect(eventTypes(r)).toEqual(['SIGNAL_APPLIED', 'STEP_STARTED']);
  });

  it('a signal for another step is recorded and ignored: the saga sleeps on until its deadline', () => {
    const run = new Run(saga);
    run.toWait();
    const deadline = run.state.waiting!.deadlineAt;
    const r = run.signal({ id: 'other', step: 'ship', decision: 'approve' });
    expect(eventTypes(r)).toEqual(['SIGNAL_IGNORED']);
    expect(r.events[0]!.detail).toBe("approve other: not waiting on 'ship': the saga waits on 'approve'");
    expect(r.state).toMatchObject({ status: 'waiting', wakeAt: deadline, seenSignals: ['other'] });
    expect(commandsOf(r)).toEqual([]);
  });

  it('a signal before the saga waits is ignored on its next look, and does not wake it early', () => {
    const run = new Run(saga);
    run.tick();
    const recorded = withPendingSignal(run.state, { id: 'early', step: 'approve', decision: 'approve', at: run.now }, run.now);
    if ('refused' in recorded) throw new Error('refused');
    expect(recorded.state.wakeAt).toBe(run.state.wakeAt);
    run.state = recorded.state;
    const r = run.ok();
    // The reply moves it on first; the pending signal is looked at on the next tick, at the wait's deadline at the latest.
    expect(r.state.status).toBe('waiting');
    const looked = run.tick(run.now + 1);
    expect(eventTypes(looked)).toEqual(['SIGNAL_IGNORED']);
    expect(looked.events[0]!.detail).toBe("approve early: it came before the saga waited on 'approve'");
    expect(looked.state.status).toBe('waiting');
  });

  it('a signal still pending when the saga ends is ignored then, not left behind', () => {
    const run = new Run(sagaOf(step('reserve'), approval({ continueWith: {} }), step('ship')));
    run.toWait();
    run.signal({ decision: 'approve' });
    const recorded = withPendingSignal(run.state, { id: 'after', step: 'approve', decision: 'reject', at: run.now }, run.now);
    if ('refused' in recorded) throw new Error('refused');
    run.state = recorded.state;
    const r = run.ok();
    expect(r.state.status).toBe('completed');
    expect(r.state.pendingSignals).toBeUndefined();
    expect(r.events.find((e) => e.type === 'SIGNAL_IGNORED')?.detail).toBe('reject after: the saga is completed');
  });

  it('a signal that reached Kafka after the deadline is late: the declared outcome stands', () => {
    const run = new Run(saga);
    run.toWait();
    const deadline = run.state.waiting!.deadlineAt;
    run.now = deadline + 5;
    const r = run.signal({ decision: 'approve', at: deadline + 1 }, 0);
    expect(eventTypes(r)).toEqual(['SIGNAL_IGNORED', 'WAIT_TIMED_OUT', 'COMPENSATING', 'COMPENSATION_STARTED']);
    expect(r.effects).toContainEqual({ type: 'signal', outcome: 'late', step: 'approve' });
  });

  it('times out into compensation when so declared', () => {
    const run = new Run(saga);
    run.toWait();
    const r = run.tick(run.state.wakeAt!);
    expect(eventTypes(r)).toEqual(['WAIT_TIMED_OUT', 'COMPENSATING', 'COMPENSATION_STARTED']);
    expect(r.events[0]!.detail).toBe(`no signal within ${2 * DAY} ms: compensating`);
    expect(r.state.steps[1]).toMatchObject({ status: 'failed' });
    expect(commandsOf(r).map((c) => c.topic)).toEqual(['reserve.undo']);
  });

  it('times out onto its default path when so declared, with continueWith merged into the data', () => {
    const run = new Run(sagaOf(step('reserve'), approval({ continueWith: { approved: false, by: 'timeout' } }), step('ship')));
    run.toWait();
    const r = run.tick(run.state.wakeAt!);
    expect(eventTypes(r)).toEqual(['WAIT_TIMED_OUT', 'STEP_STARTED']);
    expect(r.state).toMatchObject({ status: 'running', dataPatch: { approved: false, by: 'timeout' } });
    expect(commandsOf(r).map((c) => c.topic)).toEqual(['ship.do']);
  });

  it('a reply carrying data supersedes the patch (the participant was sent the patched data)', () => {
    const run = new Run(saga);
    run.toWait();
    run.signal({ decision: 'approve', value: { approvedBy: 'ann' } });
    const f = run.state.inFlight!;
    const data: EncodedData = { topic: 'ship.do', bytes: 'eyJhIjoxfQ==' };
    const r = transition(saga, run.state, { type: 'reply', step: 'ship', kind: 'execute', attempt: f.attempt, outcome: 'succeeded', data }, { now: run.now + 1, random: 0.5 });
    expect(r.state.data).toEqual(data);
    expect(r.state.dataPatch).toBeUndefined();
  });

  it('a restart changes nothing: the waiting state read back from JSON decides the same', () => {
    const run = new Run(saga);
    run.toWait();
    const reloaded = JSON.parse(JSON.stringify(run.state)) as SagaState;
    const at = run.state.wakeAt!;
    const a = transition(saga, run.state, { type: 'tick' }, { now: at, random: 0.5 });
    const b = transition(saga, reloaded, { type: 'tick' }, { now: at, random: 0.5 });
    expect(b).toEqual(a);
    expect(transition(saga, reloaded, { type: 'tick' }, { now: at - 1, random: 0.5 }).changed).toBe(false);
  });

  it('rejected after the pivot: stuck for an operator; resumed, it waits again for a fresh signal', () => {
    const pivoted = sagaOf(step('reserve', { pivot: true }), approval({ continueWith: {} }), step('ship'));
    const run = new Run(pivoted);
    run.toWait();
    const r = run.signal({ decision: 'reject' });
    expect(r.state.status).toBe('forward_failed');
    expect(r.effects.map((e) => e.type)).toContain('stuck');
    run.state = { ...run.state, resumeRequestedAt: run.now, wakeAt: run.now };
    const resumed = run.tick();
    expect(resumed.state).toMatchObject({ status: 'waiting', waiting: { step: 1 } });
    expect(commandsOf(resumed).map((c) => c.attempt)).toEqual([2]);
  });
});

describe('recording a signal (withPendingSignal)', () => {
  const saga = sagaOf(step('reserve'), approval());
  const signal = (id: string): SagaSignal => ({ id, step: 'approve', decision: 'approve', at: T0 });

  it('makes a waiting saga due now, refuses finished ones and bounds what waits', () => {
    const run = new Run(saga);
    run.toWait();
    const recorded = withPendingSignal(run.state, signal('a'), run.now + 5);
    expect('state' in recorded && recorded.state.wakeAt).toBe(run.now + 5);
    expect(withPendingSignal({ ...run.state, status: 'completed' }, signal('a'), run.now)).toEqual({ refused: 'not-active' });
    const full = { ...run.state, pendingSignals: Array.from({ length: MAX_PENDING_SIGNALS }, (_, i) => signal(`p${i}`)) };
    expect(withPendingSignal(full, signal('b'), run.now)).toEqual({ refused: 'too-many' });
    expect(withPendingSignal(full, signal('p3'), run.now)).toEqual({ refused: 'duplicate' });
  });
});
