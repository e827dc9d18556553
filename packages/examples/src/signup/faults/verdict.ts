import { FINAL_STATUSES, STUCK_STATUSES, type SagaState, type SagaStatus } from '@agentmesh/coordinator';
import { checkSagaEffects, failureOfFailedStep } from '../effects-check';
import { emptyEffects, type SagaEffects, type SignupEffect } from '../ledger';

/**
 * The verdict on a run's sagas, from their final states (the saga store) and
 * their effects (the ledger). Each problem names the guarantee it breaks:
 *
 *  - `terminal`: every saga completed or was compensated. Stuck (waiting
 *    for an operator), still running or compensating, or missing from the
 *    store are breaches.
 *  - `effects`: a completed saga has each effect exactly once, in order; a
 *    compensated one has nothing live (checkSagaEffects).
 *  - `effect-once`: no effect was taken more than once, whatever the status.
 *  - `compensation-once`: no step's compensation took effect twice (the
 *    coordinator applied two successful compensations of one step).
 *  - `recovery`: no saga ended later after the faults than the bound allows
 *    (see recovery-bound.ts).
 */

export const GUARANTEES = ['terminal', 'effects', 'effect-once', 'compensation-once', 'recovery'] as const;
export type Guarantee = (typeof GUARANTEES)[number];

export interface SagaProblem {
  guarantee: Guarantee;
  sagaId: string;
  /** The saga's status at the end, or `missing` when the store has no such saga. */
  status: SagaStatus | 'missing';
  message: string;
  /** The saga's effects in the ledger, in order. */
  effects: SignupEffect[];
}

export interface SagaCounts {
  sagas: number;
  completed: number;
  compensated: number;
  /** compensation_failed or forward_failed: waiting for an operator. */
  stuck: number;
  /** running or compensating when the wait ended. */
  notTerminal: number;
  /** Not in the store at all. */
  missing: number;
}

export interface SagaJudgement {
  counts: SagaCounts;
  problems: SagaProblem[];
  /** From the end of the faults to the last saga's end (0 when every saga ended before). */
  recoveryMs: number;
  /** The saga that ended last after the faults, if any did. */
  lastToEnd: { sagaId: string; endedAt: number } | undefined;
  /** Requests for an effect already taken, refused by the ledger (retries after timeouts, redeliveries): not a breach by themselves. */
  ledgerRepeats: number;
  /** Replies the coordinators ignored, by why (`late`, `duplicate`, ...): from the sagas' timelines. */
  ignoredReplies: Record<string, number>;
  /** Compensated sagas by what turned them back: `<step> failed` or `<step> timed_out`. */
  compensatedBy: Record<string, number>;
  /** Sagas still running or compensating, by home partition (all on a few partitions: partitions nobody drives). */
  unfinishedByPartition: Record<number, number>;
}

export interface JudgeInput {
  sagaIds: readonly string[];
  /** The store's states, in the order of sagaIds (undefined: not there). */
  states: readonly (SagaState | undefined)[];
  effects: ReadonlyMap<string, SagaEffects>;
  /** When the last fault was over (its process back and ready). */
  faultsEndedAt: number;
  /** How long after the faults a saga may still take to end. */
  recoveryBoundMs: number;
  /** When the states were read. */
  judgedAt: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** When a saga reached its final or stuck status; undefined while it has not. */
export function endOf(state: SagaState): number | undefined {
  if (FINAL_STATUSES.includes(state.status)) return state.finishedAt ?? state.updatedAt;
  if (STUCK_STATUSES.includes(state.status)) return state.updatedAt;
  return undefined;
}

/** Steps whose compensation the coordinator applied as succeeded more than once: name and the attempts. */
export function compensationsAppliedTwice(state: Pick<SagaState, 'timeline'>): Array<{ step: string; attempts: number[] }> {
  const byStep = new Map<string, number[]>();
  for (const entry of state.timeline) {
    if (entry.type !== 'STEP_COMPENSATED' || entry.step === undefined) continue;
    const attempts = byStep.get(entry.step) ?? [];
    attempts.push(entry.attempt ?? 0);
    byStep.set(entry.step, attempts);
  }
  return [...byStep].filter(([, attempts]) => attempts.length > 1).map(([step, attempts]) => ({ step, attempts }));
}

/** What a saga that has not ended is doing: its command in flight, or when it next wakes. */
export function describeUnfinished(state: SagaState, now: number): string {
  const since = `last changed ${seconds(now - state.updatedAt)} before the end of the wait, home partition ${state.homePartition}`;
  const inFlight = state.inFlight;
  if (inFlight) {
    const step = state.steps[inFlight.step]?.name ?? `#${inFlight.step}`;
    const deadline = inFlight.deadlineAt <= now ? `its deadline passed ${seconds(now - inFlight.deadlineAt)} before` : `deadline in ${seconds(inFlight.deadlineAt - now)}`;
    return `${since}; waiting on ${step} ${inFlight.kind} attempt ${inFlight.attempt} (${deadline})`;
  }
  if (state.wakeAt !== null) return `${since}; next look ${state.wakeAt <= now ? `due ${seconds(now - state.wakeAt)} before` : `in ${seconds(state.wakeAt - now)}`}`;
  return `${since}; no timer and nothing in flight`;
}

function stuckReason(state: SagaState): string {
  for (let i = state.timeline.length - 1; i >= 0; i--) {
    const entry = state.timeline[i]!;
    if (entry.type === 'STUCK') return entry.detail ?? 'no reason recorded';
  }
  return 'no STUCK entry in its timeline';
}

/** Judges the sagas of a run (see the module's comment). */
export function judgeSagas(input: JudgeInput): SagaJudgement {
  if (input.states.length !== input.sagaIds.length) throw new Error(`${input.sagaIds.length} saga ids but ${input.states.length} states`);
  const counts: SagaCounts = { sagas: input.sagaIds.length, completed: 0, compensated: 0, stuck: 0, notTerminal: 0, missing: 0 };
  const problems: SagaProblem[] = [];
  const ignoredReplies: Record<string, number> = {};
  const compensatedBy: Record<string, number> = {};
  const unfinishedByPartition: Record<number, number> = {};
  let ledgerRepeats = 0;
  let lastToEnd: SagaJudgement['lastToEnd'];

  input.sagaIds.forEach((sagaId, i) => {
    const state = input.states[i];
    const effects = input.effects.get(sagaId) ?? emptyEffects();
    ledgerRepeats += effects.repeats;
    const problem = (guarantee: Guarantee, message: string) => problems.push({ guarantee, sagaId, status: state?.status ?? 'missing', message, effects: [...effects.log] });

    if (!state) {
      counts.missing++;
      problem('terminal', `not in the saga store: its signup never started a saga${effects.log.length > 0 ? ', yet it has effects' : ''}`);
      return;
    }
    if (state.status === 'completed') counts.completed++;
    else if (state.status === 'compensated') {
      counts.compensated++;
      const cause = `${state.failedStep !== undefined ? (state.steps[state.failedStep]?.name ?? `step ${state.failedStep}`) : 'unknown step'} ${failureOfFailedStep(state) ?? 'unknown'}`;
      compensatedBy[cause] = (compensatedBy[cause] ?? 0) + 1;
    } else if (STUCK_STATUSES.includes(state.status)) {
      counts.stuck++;
      problem('terminal', `stuck, waiting for an operator: ${stuckReason(state)}`);
    } else {
      counts.notTerminal++;
      unfinishedByPartition[state.homePartition] = (unfinishedByPartition[state.homePartition] ?? 0) + 1;
      problem('terminal', `not terminal: ${describeUnfinished(state, input.judgedAt)}`);
    }

    for (const message of checkSagaEffects(state, effects)) problem('effects', message);
    for (const [effect, count] of Object.entries(effects.counts)) if (count > 1) problem('effect-once', `${effect} taken ${count} times`);
    for (const { step, attempts } of compensationsAppliedTwice(state)) {
      const trimmed = state.timelineDropped ? ` (timeline trimmed: ${state.timelineDropped} entries dropped)` : '';
      problem(
        'compensation-once',
        `the compensation of '${step}' took effect ${attempts.length} times (attempts ${attempts.join(', ')})${trimmed}; the ledger refused ${effects.repeats} repeated request(s)`,
      );
    }

    for (const entry of state.timeline) {
      if (entry.type !== 'REPLY_IGNORED') continue;
      const why = entry.detail?.split(' ')[0] ?? 'unknown';
      ignoredReplies[why] = (ignoredReplies[why] ?? 0) + 1;
    }

    const endedAt = endOf(state);
    if (endedAt === undefined) return;
    if (endedAt > input.faultsEndedAt && (lastToEnd === undefined || endedAt > lastToEnd.endedAt)) lastToEnd = { sagaId, endedAt };
    const from = Math.max(input.faultsEndedAt, state.startedAt);
    if (endedAt - from > input.recoveryBoundMs) {
      const started = state.startedAt > input.faultsEndedAt ? `it started ${seconds(state.startedAt - input.faultsEndedAt)} after they ended` : 'it started before they ended';
      problem('recovery', `ended ${seconds(endedAt - from)} after the faults ended (bound ${seconds(input.recoveryBoundMs)}; ${started})`);
    }
  });

  return { counts, problems, recoveryMs: lastToEnd ? lastToEnd.endedAt - input.faultsEndedAt : 0, lastToEnd, ledgerRepeats, ignoredReplies, compensatedBy, unfinishedByPartition };
}

/** Every saga completed or compensated, and no problem of any kind. */
export function judgementOk(judgement: Pick<SagaJudgement, 'counts' | 'problems'>): boolean {
  const { counts } = judgement;
  return judgement.problems.length === 0 && counts.completed + counts.compensated === counts.sagas;
}

/** Problems by guarantee, in GUARANTEES order: `terminal 3, effects 1`; `none` when there are none. */
export function summarizeProblems(problems: readonly SagaProblem[]): string {
  const parts = GUARANTEES.map((g) => [g, problems.filter((p) => p.guarantee === g).length] as const).filter(([, n]) => n > 0);
  return parts.length === 0 ? 'none' : parts.map(([g, n]) => `${g} ${n}`).join(', ');
}
