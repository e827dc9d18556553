import { commandEventId } from '../protocol/ids';
import { mergePatch, rememberSignal } from './signals';
import {
  ACTIVE_STATUSES,
  type CommandKind,
  type InFlightCommand,
  type ReplyIgnoredEffect,
  type ReplyInput,
  type SagaEffect,
  type SagaEventType,
  type SagaInput,
  type SagaSignal,
  type SagaState,
  type SignalEffect,
  type StepErrorKind,
  type StepState,
  type TimelineEntry,
  type TransitionResult,
  type WaitingOn,
} from './state';
import type { Saga, SagaRetryPolicy } from './types';
import { backoffDelayMs } from '@agentmesh/runtime/internal';

/** Timeline entries kept per saga; beyond it the oldest (after the first few) are dropped and counted. */
export const MAX_TIMELINE_ENTRIES = 200;
const TIMELINE_HEAD = 20;

/** The delay before retry number `attempt` (1 = the retry after the first attempt failed), jittered. */
export function retryDelayMs(policy: SagaRetryPolicy, attempt: number, random: number): number {
  return backoffDelayMs(policy.delaysMs, attempt, policy.jitter, random);
}

/** What a transition reads besides the state: the clock and a random number for jitter. */
export interface TransitionContext {
  now: number;
  /** In [0, 1). */
  random: number;
}

/** A transition under way: the state being changed (a copy) and what it has asked for. */
class Move {
  readonly effects: SagaEffect[] = [];
  readonly events: TimelineEntry[] = [];
  changed = false;

  constructor(
    readonly saga: Saga,
    readonly state: SagaState,
    readonly ctx: TransitionContext,
  ) {}

  record(type: SagaEventType, fields: Omit<TimelineEntry, 'at' | 'type'> = {}): void {
    const entry: TimelineEntry = { at: this.ctx.now, type, ...fields };
    this.events.push(entry);
    this.state.timeline.push(entry);
    this.changed = true;
  }

  touch(): void {
    this.changed = true;
  }

  /** Sends the next attempt of a step's command (or compensation) and waits for its reply until the deadline. */
  send(stepIndex: number, kind: CommandKind): void {
    const step = this.saga.steps[stepIndex]!;
    const st = this.state.steps[stepIndex]!;
    const topic = kind === 'execute' ? step.command : step.compensation;
    if (topic === undefined) throw new Error(`step '${step.name}' has no compensation topic`); // callers check; a bug if reached
    const attempt = kind === 'execute' ? ++st.attempts : ++st.compensationAttempts;
    st.status = kind === 'execute' ? 'running' : 'compensating';
    const deadlineAt = this.ctx.now + (kind === 'execute' ? step.timeoutMs : step.compensationTimeoutMs);
    const eventId = commandEventId(this.state.id, step.name, kind, attempt);
    this.state.inFlight = { step: stepIndex, kind, attempt, eventId, sentAt: this.ctx.now, deadlineAt };
    this.state.wakeAt = deadlineAt;
    this.record(kind === 'execute' ? 'STEP_STARTED' : 'COMPENSATION_STARTED', { step: step.name, kind, attempt });
    this.effects.push({ type: 'command', step: stepIndex, kind, topic, attempt, eventId, deadlineAt });
  }

  /** Runs step `from` next (a command, or a wait), or completes the saga when there is none. */
  forward(from: number): void {
    if (from < this.saga.steps.length) {
      if (this.saga.steps[from]!.wait) return this.wait(from);
      this.send(from, 'execute');
      return;
    }
    this.finish('completed');
  }

  /**
   * Begins wait step `stepIndex`: nothing awaited from a participant, the saga due again at the wait's deadline.
   * Its notification, if any, goes out once; no reply is expected, so its span ends as it is sent.
   */
  wait(stepIndex: number): void {
    const step = this.saga.steps[stepIndex]!;
    const st = this.state.steps[stepIndex]!;
    const deadlineAt = this.ctx.now + step.wait!.timeoutMs;
    st.status = 'waiting';
    this.state.status = 'waiting';
    this.state.inFlight = null;
    this.state.waiting = { step: stepIndex, since: this.ctx.now, deadlineAt };
    this.state.wakeAt = deadlineAt;
    this.record('WAITING', { step: step.name, detail: `for a signal until ${new Date(deadlineAt).toISOString()}` });
    if (step.command === undefined) return;
    const attempt = ++st.attempts;
    const eventId = commandEventId(this.state.id, step.name, 'execute', attempt);
    this.effects.push({ type: 'command', step: stepIndex, kind: 'execute', topic: step.command, attempt, eventId, deadlineAt });
    this.effects.push({ type: 'command-ended', step: stepIndex, kind: 'execute', attempt, outcome: 'succeeded', sentAt: this.ctx.now });
  }

  /** The wait is over (signalled, or its deadline passed): the saga runs again. */
  endWait(): void {
    delete this.state.waiting;
    this.state.status = 'running';
  }

  /** Wait step `stepIndex` is done as approved: `fields` join the data, and the saga goes on. */
  passWait(stepIndex: number, fields: Record<string, unknown> | undefined, type: SagaEventType, detail: string): void {
    const st = this.state.steps[stepIndex]!;
    this.endWait();
    st.status = 'succeeded';
    const patch = mergePatch(this.state.dataPatch, fields);
    if (patch !== undefined) this.state.dataPatch = patch;
    if (this.saga.steps[stepIndex]!.pivot) this.state.pivotPassed = true;
    this.record(type, { step: st.name, detail });
    this.forward(stepIndex + 1);
  }

  /** Wait step `stepIndex` is done as refused: compensate, or (past the pivot) stop for an operator. */
  failWait(stepIndex: number, type: SagaEventType, detail: string, reason: string): void {
    const st = this.state.steps[stepIndex]!;
    this.endWait();
    st.status = 'failed';
    st.lastError = reason;
    this.record(type, { step: st.name, detail });
    if (this.state.pivotPassed) return this.stuck('forward_failed', stepIndex, `step '${st.name}' ${reason} after the pivot`);
    this.beginCompensation(stepIndex, `step '${st.name}' ${reason}`);
  }

  /** Signals still held when the saga stops acting by itself are ignored now: nobody would look at them later. */
  dropPendingSignals(status: string): void {
    const pending = this.state.pendingSignals;
    if (pending === undefined) return;
    delete this.state.pendingSignals;
    for (const signal of pending) if (!this.state.seenSignals?.includes(signal.id)) this.signalSeen(signal, 'not-waiting', `the saga is ${status}`);
  }

  signalSeen(signal: SagaSignal, outcome: SignalEffect['outcome'], detail?: string): void {
    this.state.seenSignals = rememberSignal(this.state.seenSignals, signal.id);
    this.effects.push({ type: 'signal', outcome, step: signal.step });
    if (outcome !== 'applied') this.record('SIGNAL_IGNORED', { step: signal.step, detail: `${signal.decision} ${signal.id}: ${detail ?? outcome}` });
  }

  finish(outcome: 'completed' | 'compensated'): void {
    this.dropPendingSignals(outcome);
    this.state.status = outcome;
    this.state.inFlight = null;
    this.state.wakeAt = null;
    this.state.finishedAt = this.ctx.now;
    this.record(outcome === 'completed' ? 'COMPLETED' : 'COMPENSATED');
    this.effects.push({ type: 'finished', outcome, durationMs: this.ctx.now - this.state.startedAt });
  }

  /** Turns the saga back after step `failed` failed for good: compensations of what may have taken effect, newest first. */
  beginCompensation(failed: number, reason: string): void {
    this.state.status = 'compensating';
    this.state.failedStep = failed;
    this.state.inFlight = null;
    this.state.wakeAt = null;
    for (const [i, st] of this.state.steps.entries()) {
      const needsUndo = st.mayHaveTakenEffect && this.saga.steps[i]!.compensation !== undefined;
      if (!needsUndo) st.status = st.status === 'pending' || st.status === 'failed' ? st.status : 'not_compensated';
    }
    this.record('COMPENSATING', { step: this.saga.steps[failed]!.name, detail: reason });
    this.compensateNext();
  }

  /** The newest step that may have taken effect and is not yet undone gets its compensation; none left: compensated. */
  compensateNext(): void {
    for (let i = this.state.steps.length - 1; i >= 0; i--) {
      const st = this.state.steps[i]!;
      if (st.mayHaveTakenEffect && this.saga.steps[i]!.compensation !== undefined && st.status !== 'compensated') {
        this.send(i, 'compensate');
        return;
      }
    }
    this.finish('compensated');
  }

  /** Waits `delayMs` before the next attempt (the owner's timer sends it). */
  scheduleRetry(stepIndex: number, kind: CommandKind, delayMs: number): void {
    this.state.inFlight = null;
    this.state.wakeAt = this.ctx.now + delayMs;
    const step = this.saga.steps[stepIndex]!;
    const st = this.state.steps[stepIndex]!;
    this.record(kind === 'execute' ? 'STEP_RETRY_SCHEDULED' : 'COMPENSATION_RETRY_SCHEDULED', {
      step: step.name,
      kind,
      attempt: (kind === 'execute' ? st.attempts : st.compensationAttempts) + 1,
      detail: `in ${delayMs} ms`,
    });
  }

  stepFailed(stepIndex: number, errorKind: StepErrorKind, error: string): void {
    const step = this.saga.steps[stepIndex]!;
    const st = this.state.steps[stepIndex]!;
    st.lastError = error;
    const used = st.attempts - (st.attemptsBeforeResume ?? 0);
    const attemptsLeft = used < step.retry.maxAttempts;
    if (this.state.pivotPassed) {
      // Past the pivot there is no going back: retry whatever the error, then wait for an operator.
      if (attemptsLeft) return this.scheduleRetry(stepIndex, 'execute', retryDelayMs(step.retry, used, this.ctx.random));
      return this.stuck('forward_failed', stepIndex, `step '${step.name}' failed after the pivot, ${st.attempts} attempts: ${error}`);
    }
    if (errorKind !== 'permanent' && attemptsLeft) {
      return this.scheduleRetry(stepIndex, 'execute', retryDelayMs(step.retry, used, this.ctx.random));
    }
    st.status = errorKind === 'timeout' ? 'timed_out' : 'failed';
    const why = errorKind === 'permanent' ? 'failed permanently' : `failed ${st.attempts} attempt(s)`;
    this.beginCompensation(stepIndex, `step '${step.name}' ${why}: ${error}`);
  }

  compensationFailed(stepIndex: number, error: string): void {
    const step = this.saga.steps[stepIndex]!;
    const st = this.state.steps[stepIndex]!;
    st.lastError = error;
    const used = st.compensationAttempts - (st.compensationAttemptsBeforeResume ?? 0);
    if (used < step.compensationRetry.maxAttempts) {
      return this.scheduleRetry(stepIndex, 'compensate', retryDelayMs(step.compensationRetry, used, this.ctx.random));
    }
    st.status = 'compensation_failed';
    this.stuck('compensation_failed', stepIndex, `compensation of '${step.name}' failed ${st.compensationAttempts} attempt(s): ${error}`);
  }

  stuck(status: 'compensation_failed' | 'forward_failed', stepIndex: number, reason: string): void {
    this.dropPendingSignals(status);
    this.state.status = status;
    this.state.inFlight = null;
    this.state.wakeAt = null;
    this.record('STUCK', { step: this.saga.steps[stepIndex]!.name, detail: `${status}: ${reason}` });
    this.effects.push({ type: 'stuck', status, step: stepIndex, reason });
  }

  ignoreReply(reply: ReplyInput, why: ReplyIgnoredEffect['why']): void {
    this.record('REPLY_IGNORED', { step: reply.step, kind: reply.kind, attempt: reply.attempt, detail: `${why} ${reply.outcome} reply` });
    this.effects.push({ type: 'reply-ignored', why });
  }
}

/** Detail of a compensation the coordinator gave up waiting on; a participant's failure reads `<errorKind>: ...`, never this. */
const COMPENSATION_DEADLINE = 'timed out:';

function whyIgnored(state: SagaState, stepIndex: number, reply: ReplyInput): ReplyIgnoredEffect['why'] {
  const st = state.steps[stepIndex]!;
  const sent = reply.kind === 'execute' ? st.attempts : st.compensationAttempts;
  if (reply.attempt < 1 || reply.attempt > sent) return 'not-waiting';
  // An attempt no longer awaited: its deadline passed first (late), or its reply was applied already (duplicate).
  const ofAttempt = state.timeline.filter((e) => e.step === reply.step && e.kind === reply.kind && e.attempt === reply.attempt);
  const gaveUp = ofAttempt.some((e) => e.type === 'STEP_TIMED_OUT' || (e.type === 'COMPENSATION_FAILED' && e.detail?.startsWith(COMPENSATION_DEADLINE)));
  if (gaveUp) return 'late';
  const applied = ofAttempt.some((e) => e.type === 'STEP_SUCCEEDED' || e.type === 'STEP_FAILED' || e.type === 'STEP_COMPENSATED' || e.type === 'COMPENSATION_FAILED');
  if (applied) return 'duplicate';
  // Its entries were trimmed from the timeline: an older attempt was most likely given up on.
  return reply.attempt < sent ? 'late' : 'duplicate';
}

/**
 * Whether an execution success repeats one taken into account for the step: same attempt, and the same reply
 * event id where both are known. A success of the same attempt under another event id, or after the attempt's
 * failure was applied, is another execution: its effect is real and the late-success rule covers it.
 */
function repeatsKnownSuccess(state: SagaState, stepIndex: number, reply: ReplyInput): boolean {
  if (reply.kind !== 'execute' || reply.outcome !== 'succeeded') return false;
  const known = state.steps[stepIndex]!.successes;
  if (known) return known.some((s) => s.attempt === reply.attempt && (s.eventId === undefined || reply.eventId === undefined || s.eventId === reply.eventId));
  // A state written before successes were remembered: its timeline says whether this attempt's success was applied.
  return state.timeline.some((e) => e.type === 'STEP_SUCCEEDED' && e.step === reply.step && e.kind === 'execute' && e.attempt === reply.attempt);
}

function rememberSuccess(st: StepState, reply: ReplyInput): void {
  const success = { attempt: reply.attempt, ...(reply.eventId !== undefined ? { eventId: reply.eventId } : {}) };
  st.successes = [...(st.successes ?? []), success];
}

function onReply(move: Move, reply: ReplyInput): void {
  const { state, saga } = move;
  const stepIndex = saga.steps.findIndex((s) => s.name === reply.step);
  if (stepIndex < 0) return move.ignoreReply(reply, 'unknown-step');
  // A wait step's notification expects no reply: only a signal ends the wait.
  if (saga.steps[stepIndex]!.wait) return move.ignoreReply(reply, 'not-waiting');
  const awaited = state.inFlight;
  if (!awaited || awaited.step !== stepIndex || awaited.kind !== reply.kind || awaited.attempt !== reply.attempt) {
    const why = whyIgnored(state, stepIndex, reply);
    // A success taken into account already, read again (a participant that handled the command twice, a redelivery): nothing new happened.
    if (why !== 'not-waiting' && repeatsKnownSuccess(state, stepIndex, reply)) return move.ignoreReply(reply, 'duplicate');
    // A success of an attempt we sent, arriving late (or contradicting its applied failure), took effect after all: its compensation must cover it.
    if (why !== 'not-waiting' && reply.kind === 'execute' && reply.outcome === 'succeeded') {
      const st = state.steps[stepIndex]!;
      st.mayHaveTakenEffect = true;
      rememberSuccess(st, reply);
      if (st.status === 'compensated' && (state.status === 'compensating' || state.status === 'compensated')) {
        // Its compensation ran before the effect happened: the effect stands, so it owes a compensation again.
        move.ignoreReply(reply, why);
        st.status = 'timed_out';
        move.record('COMPENSATING', { step: reply.step, detail: 'a late success came after the step was compensated: compensating it again' });
        if (state.status === 'compensated') {
          state.status = 'compensating';
          delete state.finishedAt;
          move.compensateNext();
        }
        return;
      }
    }
    return move.ignoreReply(reply, why);
  }
  const step = saga.steps[stepIndex]!;
  const st = state.steps[stepIndex]!;
  move.effects.push({ type: 'command-ended', step: stepIndex, kind: reply.kind, attempt: reply.attempt, outcome: reply.outcome, sentAt: awaited.sentAt });
  state.inFlight = null;
  const error = reply.error ?? 'the participant gave no reason';
  if (reply.kind === 'execute') {
    if (reply.outcome === 'succeeded') {
      st.status = 'succeeded';
      st.mayHaveTakenEffect = true;
      rememberSuccess(st, reply);
      if (reply.data) {
        // The participant was sent the data with the patch on top: what it returns supersedes both.
        state.data = reply.data;
        delete state.dataPatch;
      }
      if (step.pivot) state.pivotPassed = true;
      move.record('STEP_SUCCEEDED', { step: step.name, kind: 'execute', attempt: reply.attempt });
      return move.forward(stepIndex + 1);
    }
    move.record('STEP_FAILED', { step: step.name, kind: 'execute', attempt: reply.attempt, detail: `${reply.errorKind ?? 'transient'}: ${error}` });
    return move.stepFailed(stepIndex, reply.errorKind ?? 'transient', error);
  }
  if (reply.outcome === 'succeeded') {
    st.status = 'compensated';
    move.record('STEP_COMPENSATED', { step: step.name, kind: 'compensate', attempt: reply.attempt });
    return move.compensateNext();
  }
  move.record('COMPENSATION_FAILED', { step: step.name, kind: 'compensate', attempt: reply.attempt, detail: `${reply.errorKind ?? 'transient'}: ${error}` });
  return move.compensationFailed(stepIndex, error);
}

function onResume(move: Move): void {
  const { state, saga } = move;
  delete state.resumeRequestedAt;
  move.touch();
  if (state.status === 'compensation_failed') {
    const stepIndex = state.steps.findIndex((s) => s.status === 'compensation_failed');
    if (stepIndex >= 0) {
      state.steps[stepIndex]!.compensationAttemptsBeforeResume = state.steps[stepIndex]!.compensationAttempts;
      state.status = 'compensating';
      move.record('RESUMED', { step: saga.steps[stepIndex]!.name, detail: 'compensation resumed by an operator' });
      return move.send(stepIndex, 'compensate');
    }
  }
  if (state.status === 'forward_failed') {
    const stepIndex = state.steps.findIndex((s) => s.status !== 'succeeded');
    if (stepIndex >= 0) {
      state.steps[stepIndex]!.attemptsBeforeResume = state.steps[stepIndex]!.attempts;
      state.status = 'running';
      move.record('RESUMED', { step: saga.steps[stepIndex]!.name, detail: 'step resumed by an operator' });
      // A refused wait past the pivot waits again, for a fresh signal.
      if (saga.steps[stepIndex]!.wait) return move.wait(stepIndex);
      return move.send(stepIndex, 'execute');
    }
  }
  move.record('RESUMED', { detail: `nothing to resume: the saga is ${state.status}` });
}

/** The awaited command's deadline passed with no reply before it: a timeout. */
function timeOutAwaited(move: Move, awaited: InFlightCommand): void {
  const { state } = move;
  const step = move.saga.steps[awaited.step]!;
  const st = state.steps[awaited.step]!;
  state.inFlight = null;
  move.effects.push({ type: 'command-ended', step: awaited.step, kind: awaited.kind, attempt: awaited.attempt, outcome: 'timed_out', sentAt: awaited.sentAt });
  const error = `no reply within ${awaited.deadlineAt - awaited.sentAt} ms`;
  if (awaited.kind === 'execute') {
    // It may still take effect (or have taken it): from now on its compensation is owed.
    st.mayHaveTakenEffect = true;
    move.record('STEP_TIMED_OUT', { step: step.name, kind: 'execute', attempt: awaited.attempt, detail: error });
    return move.stepFailed(awaited.step, 'timeout', error);
  }
  move.record('COMPENSATION_FAILED', { step: step.name, kind: 'compensate', attempt: awaited.attempt, detail: `${COMPENSATION_DEADLINE} ${error}` });
  return move.compensationFailed(awaited.step, error);
}

/**
 * One signal the owner looks at: it ends the wait when it names the step waited on and reached Kafka before the
 * wait's deadline; otherwise it is ignored (and recorded so). The same signal again changes nothing.
 */
function onSignal(move: Move, signal: SagaSignal): void {
  const { state, saga } = move;
  if (state.seenSignals?.includes(signal.id)) return;
  const waiting = state.status === 'waiting' ? state.waiting : undefined;
  const stepIndex = saga.steps.findIndex((s) => s.name === signal.step);
  if (!waiting || waiting.step !== stepIndex) {
    const at = waiting ? `the saga waits on '${saga.steps[waiting.step]!.name}'` : `the saga is ${state.status}`;
    return move.signalSeen(signal, 'not-waiting', `not waiting on '${signal.step}': ${at}`);
  }
  // Recorded before this wait began: it was not for this wait.
  if (signal.waitBegunAt !== waiting.since) return move.signalSeen(signal, 'not-waiting', `it came before the saga waited on '${signal.step}'`);
  if (signal.at >= waiting.deadlineAt) return move.signalSeen(signal, 'late', `it arrived after the wait's deadline ${new Date(waiting.deadlineAt).toISOString()}`);
  move.signalSeen(signal, 'applied');
  const because = signal.reason ? `: ${signal.reason}` : '';
  if (signal.decision === 'approve') return move.passWait(stepIndex, signal.value, 'SIGNAL_APPLIED', `approved (${signal.id})${because}`);
  move.failWait(stepIndex, 'SIGNAL_APPLIED', `rejected (${signal.id})${because}`, `was rejected${because}`);
}

/** The wait's deadline passed with no signal: its declared outcome. */
function waitTimedOut(move: Move, waiting: WaitingOn): void {
  const step = move.saga.steps[waiting.step]!;
  const onTimeout = step.wait!.onTimeout;
  const why = `no signal within ${waiting.deadlineAt - waiting.since} ms`;
  if (onTimeout === 'compensate') return move.failWait(waiting.step, 'WAIT_TIMED_OUT', `${why}: compensating`, `got ${why}`);
  move.passWait(waiting.step, onTimeout.continueWith, 'WAIT_TIMED_OUT', `${why}: going on with its default`);
}

function onTick(move: Move, repliesReadThrough: number): void {
  const { state, ctx } = move;
  if (state.resumeRequestedAt !== undefined) return onResume(move);
  const pending = state.pendingSignals;
  if (pending !== undefined) {
    delete state.pendingSignals;
    move.touch();
    for (const signal of pending) onSignal(move, signal);
  }
  if (!ACTIVE_STATUSES.includes(state.status)) return;
  if (state.status === 'waiting' && state.waiting) {
    const { deadlineAt } = state.waiting;
    if (ctx.now >= deadlineAt) return waitTimedOut(move, state.waiting);
    // Woken early (a signal for another step, say): back to sleep until the deadline.
    if (state.wakeAt !== deadlineAt) {
      state.wakeAt = deadlineAt;
      move.touch();
    }
    return;
  }
  const awaited = state.inFlight;
  if (awaited) {
    // Passed only when the replies that reached Kafka before the deadline have all been read: one of them may be this step's.
    if (Math.min(ctx.now, repliesReadThrough) < awaited.deadlineAt) return;
    return timeOutAwaited(move, awaited);
  }
  if (state.wakeAt === null || ctx.now < state.wakeAt) return;
  if (state.status === 'compensating') return move.compensateNext();
  const next = state.steps.findIndex((s) => s.status !== 'succeeded');
  move.forward(next < 0 ? state.steps.length : next);
}

/**
 * The saga's next state for an input, and what must be done about it: the
 * commands to send, and the timeline entries for saga.events. Pure: the
 * caller persists the state (fenced) before it sends anything.
 */
export function transition(saga: Saga, state: SagaState, input: SagaInput, ctx: TransitionContext): TransitionResult {
  const move = new Move(saga, copyState(state), ctx);
  if (input.type === 'reply') {
    // Whether the reply was in time is judged by when it reached Kafka, not by when this process read it (after a
    // failover, say): one that arrived after the deadline is late, one that arrived before completes the step.
    const awaited = move.state.inFlight;
    const repliedAt = input.repliedAt ?? ctx.now;
    const running = ACTIVE_STATUSES.includes(move.state.status);
    if (awaited && running && repliedAt >= awaited.deadlineAt && move.state.resumeRequestedAt === undefined) timeOutAwaited(move, awaited);
    onReply(move, input);
  } else onTick(move, input.repliesReadThrough ?? ctx.now);
  const next = move.state;
  if (move.changed) {
    next.updatedAt = ctx.now;
    trimTimeline(next);
  }
  return { state: next, effects: move.effects, events: move.events, changed: move.changed };
}

/**
 * A copy a transition may change. Timeline entries, trigger and data are never
 * changed in place (entries are only appended, data only replaced), so they are
 * shared; structuredClone of the whole state was a third of a transition's cost.
 */
function copyState(state: SagaState): SagaState {
  return {
    ...state,
    steps: state.steps.map((s) => ({ ...s })),
    inFlight: state.inFlight ? { ...state.inFlight } : null,
    timeline: [...state.timeline],
  };
}

function trimTimeline(state: SagaState): void {
  const excess = state.timeline.length - MAX_TIMELINE_ENTRIES;
  if (excess <= 0) return;
  state.timeline.splice(TIMELINE_HEAD, excess);
  state.timelineDropped = (state.timelineDropped ?? 0) + excess;
}
