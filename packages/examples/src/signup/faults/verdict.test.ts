import type { SagaState, SagaStatus, TimelineEntry } from '@agentmesh/coordinator';
import { effectsOf, type SagaEffects, type SignupEffect } from '../ledger';
import { compensationsAppliedTwice, describeUnfinished, judgeSagas, judgementOk, summarizeProblems, type JudgeInput } from './verdict';

const STEPS = ['create-user', 'create-subscription', 'send-welcome-email'] as const;
const FAULTS_ENDED = 100_000;
const BOUND = 17_000;

/** A signup saga as the verdict reads it. */
function saga(id: string, status: SagaStatus, fields: Partial<SagaState> = {}): SagaState {
  const completed = status === 'completed';
  return {
    id,
    type: 'account-signup',
    version: 3,
    status,
    homePartition: 1,
    startedAt: 90_000,
    updatedAt: 101_000,
    ...(completed || status === 'compensated' ? { finishedAt: 101_000 } : {}),
    trigger: { topic: 'accounts.signups', partition: 0, offset: '0', eventId: 'e' },
    correlationId: 'c',
    data: { topic: 'users.create', bytes: '' },
    steps: STEPS.map((name, i) => ({
      name,
      status: completed ? 'succeeded' : i < 2 ? 'compensated' : 'failed',
      attempts: 1,
      compensationAttempts: completed || i === 2 ? 0 : 1,
      mayHaveTakenEffect: completed || i < 2,
    })),
    inFlight: null,
    wakeAt: null,
    ...(status === 'compensated' ? { failedStep: 2 } : {}),
    pivotPassed: false,
    timeline: [
      { at: 90_000, type: 'STARTED' },
      ...(status === 'compensated' ? [{ at: 95_000, type: 'STEP_FAILED', step: STEPS[2], kind: 'execute', attempt: 1, detail: 'permanent: bounced' } satisfies TimelineEntry] : []),
    ],
    ...fields,
  };
}

const effects = effectsOf;

const DONE: SignupEffect[] = ['user.created', 'subscription.created', 'email.sent'];
const UNDONE: SignupEffect[] = ['user.created', 'subscription.created', 'subscription.cancelled', 'user.deleted'];

function judge(sagas: Array<[SagaState | undefined, SagaEffects] | [string, undefined, SagaEffects]>, overrides: Partial<JudgeInput> = {}) {
  const ids: string[] = [];
  const states: (SagaState | undefined)[] = [];
  const byId = new Map<string, SagaEffects>();
  for (const entry of sagas) {
    const [first, second, third] = entry;
    const id = typeof first === 'string' ? first : first!.id;
    ids.push(id);
    states.push(typeof first === 'string' ? undefined : first);
    byId.set(id, (typeof first === 'string' ? third : second)!);
  }
  return judgeSagas({ sagaIds: ids, states, effects: byId, faultsEndedAt: FAULTS_ENDED, recoveryBoundMs: BOUND, judgedAt: 130_000, ...overrides });
}

describe('the verdict on the sagas of a run', () => {
  it('passes completed and compensated sagas whose effects agree', () => {
    const j = judge([
      [saga('a', 'completed'), effects(DONE, 1)],
      [saga('b', 'compensated'), effects(UNDONE)],
    ]);
    expect(j.counts).toEqual({ sagas: 2, completed: 1, compensated: 1, stuck: 0, notTerminal: 0, missing: 0 });
    expect(j.problems).toEqual([]);
    expect(judgementOk(j)).toBe(true);
    expect(j.ledgerRepeats).toBe(1);
    expect(j.compensatedBy).toEqual({ 'send-welcome-email failed': 1 });
    expect(j.recoveryMs).toBe(1_000);
    expect(j.lastToEnd).toEqual({ sagaId: 'a', endedAt: 101_000 });
  });

  it('calls a saga that is stuck, still running or missing a breach of `terminal`, saying where it stands', () => {
    const stuck = saga('s', 'compensation_failed', { timeline: [{ at: 1, type: 'STUCK', step: 'create-user', detail: "compensation_failed: compensation of 'create-user' failed 6 attempt(s)" }] });
    const running = saga('r', 'running', {
      homePartition: 4,
      updatedAt: 104_000,
      inFlight: { step: 1, kind: 'execute', attempt: 2, eventId: 'x', sentAt: 104_000, deadlineAt: 109_000 },
      wakeAt: 109_000,
    });
    const j = judge([
      [stuck, effects(['user.created'])],
      [running, effects(['user.created'])],
      ['m', undefined, effects([])],
    ]);
    expect(j.counts).toEqual({ sagas: 3, completed: 0, compensated: 0, stuck: 1, notTerminal: 1, missing: 1 });
    expect(j.problems.map((p) => [p.guarantee, p.sagaId, p.status, p.message])).toEqual([
      ['terminal', 's', 'compensation_failed', "stuck, waiting for an operator: compensation_failed: compensation of 'create-user' failed 6 attempt(s)"],
      [
        'terminal',
        'r',
        'running',
        'not terminal: last changed 26.0 s before the end of the wait, home partition 4; waiting on create-subscription execute attempt 2 (its deadline passed 21.0 s before)',
      ],
      ['terminal', 'm', 'missing', 'not in the saga store: its signup never started a saga'],
    ]);
    expect(j.problems[1]!.effects).toEqual(['user.created']);
    expect(j.unfinishedByPartition).toEqual({ 4: 1 });
    expect(judgementOk(j)).toBe(false);
    expect(summarizeProblems(j.problems)).toBe('terminal 3');
  });

  it('reports effects that disagree with the outcome, and any effect taken twice', () => {
    const twice = effects(DONE);
    twice.log.push('user.created');
    twice.counts['user.created'] = 2;
    const j = judge([
      [saga('a', 'completed'), effects(['user.created', 'subscription.created'])],
      [saga('b', 'compensated'), effects(['user.created', 'subscription.created', 'subscription.cancelled'])],
      [saga('c', 'completed'), twice],
    ]);
    expect(j.problems.map((p) => `${p.guarantee} ${p.sagaId}: ${p.message}`)).toEqual([
      'effects a: completed, but its effects were user.created, subscription.created (expected user.created, subscription.created, email.sent)',
      'effects b: compensated, but undone subscription.cancelled, expected subscription.cancelled, user.deleted',
      'effects c: completed, but its effects were user.created, subscription.created, email.sent, user.created (expected user.created, subscription.created, email.sent)',
      'effect-once c: user.created taken 2 times',
    ]);
    expect(summarizeProblems(j.problems)).toBe('effects 3, effect-once 1');
  });

  it('reports a compensation the coordinator applied twice, with the attempts', () => {
    const timeline: TimelineEntry[] = [
      { at: 1, type: 'STEP_COMPENSATED', step: 'create-subscription', kind: 'compensate', attempt: 1 },
      { at: 2, type: 'STEP_COMPENSATED', step: 'create-user', kind: 'compensate', attempt: 1 },
      { at: 3, type: 'REPLY_IGNORED', step: 'create-user', kind: 'execute', attempt: 1, detail: 'late succeeded reply' },
      { at: 4, type: 'STEP_COMPENSATED', step: 'create-user', kind: 'compensate', attempt: 2 },
    ];
    const state = saga('a', 'compensated', { timeline });
    expect(compensationsAppliedTwice(state)).toEqual([{ step: 'create-user', attempts: [1, 2] }]);
    const j = judge([[state, effects(UNDONE, 1)]]);
    expect(j.problems.map((p) => [p.guarantee, p.message])).toEqual([
      ['compensation-once', "the compensation of 'create-user' took effect 2 times (attempts 1, 2); the ledger refused 1 repeated request(s)"],
    ]);
    expect(j.ignoredReplies).toEqual({ late: 1 });
  });

  it('holds every saga to the recovery bound, counted from the end of the faults or its own start', () => {
    const j = judge([
      [saga('early', 'completed', { finishedAt: FAULTS_ENDED - 5_000 }), effects(DONE)],
      [saga('in-bound', 'completed', { finishedAt: FAULTS_ENDED + BOUND }), effects(DONE)],
      [saga('late', 'completed', { finishedAt: FAULTS_ENDED + BOUND + 500 }), effects(DONE)],
      [saga('started-after', 'completed', { startedAt: FAULTS_ENDED + 10_000, finishedAt: FAULTS_ENDED + 10_000 + BOUND }), effects(DONE)],
    ]);
    expect(j.problems.map((p) => [p.guarantee, p.sagaId, p.message])).toEqual([['recovery', 'late', 'ended 17.5 s after the faults ended (bound 17.0 s; it started before they ended)']]);
    expect(j.recoveryMs).toBe(10_000 + BOUND);
    expect(j.lastToEnd?.sagaId).toBe('started-after');
  });

  it('says what an unfinished saga waits for', () => {
    expect(describeUnfinished(saga('w', 'compensating', { updatedAt: 10_000, wakeAt: 12_000 }), 11_000)).toBe('last changed 1.0 s before the end of the wait, home partition 1; next look in 1.0 s');
    expect(describeUnfinished(saga('n', 'running', { updatedAt: 10_000 }), 10_000)).toBe('last changed 0.0 s before the end of the wait, home partition 1; no timer and nothing in flight');
  });

  it('refuses states that do not line up with the ids', () => {
    expect(() => judgeSagas({ sagaIds: ['a'], states: [], effects: new Map(), faultsEndedAt: 0, recoveryBoundMs: 0, judgedAt: 0 })).toThrow(/1 saga ids but 0 states/);
  });
});
