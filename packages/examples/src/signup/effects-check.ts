import type { SagaState } from '@agentmesh/coordinator';
import type { SagaEffects, SignupEffect } from './ledger';
import { SignupSteps } from './saga';

/** What each effect made is undone by; the email has no undo. */
const UNDO: Partial<Record<SignupEffect, SignupEffect>> = { 'user.created': 'user.deleted', 'subscription.created': 'subscription.cancelled' };
const MADE_IN_ORDER: readonly SignupEffect[] = ['user.created', 'subscription.created'];
const COMPLETED_LOG: readonly SignupEffect[] = ['user.created', 'subscription.created', 'email.sent'];

/**
 * How the step that turned the saga back ended: `failed` (the participant
 * said so) or `timed_out` (no reply in time, or the participant said its own
 * call timed out), read from the timeline, since the step's status says
 * `not_compensated` once compensation begins for a step with nothing to undo.
 */
export function failureOfFailedStep(state: Pick<SagaState, 'steps' | 'failedStep' | 'timeline'>): 'failed' | 'timed_out' | undefined {
  if (state.failedStep === undefined) return undefined;
  const name = state.steps[state.failedStep]?.name;
  for (let i = state.timeline.length - 1; i >= 0; i--) {
    const entry = state.timeline[i]!;
    if (entry.step !== name || entry.kind !== 'execute') continue;
    if (entry.type === 'STEP_FAILED') return entry.detail?.startsWith('timeout:') ? 'timed_out' : 'failed';
    if (entry.type === 'STEP_TIMED_OUT') return 'timed_out';
  }
  return undefined;
}

/** Whether the saga's email step may have sent its email: it succeeded, or its last attempt timed out. */
export function emailMayHaveBeenSent(state: Pick<SagaState, 'steps'>): boolean {
  const step = state.steps.find((s) => s.name === SignupSteps.sendWelcomeEmail);
  return step?.mayHaveTakenEffect === true;
}

/**
 * Checks a finished saga's effects against its outcome; returns the problems
 * (none: consistent). Completed: user, subscription and email each once, in
 * that order. Compensated: what was made was undone, newest first, after
 * everything else; no email, unless the email step timed out (it may have
 * gone out, and cannot be unsent). Sagas that have not finished are not
 * checked.
 */
export function checkSagaEffects(state: Pick<SagaState, 'status' | 'steps'>, effects: SagaEffects): string[] {
  const { log } = effects;
  const shown = log.length === 0 ? '(none)' : log.join(', ');
  if (state.status === 'completed') {
    const ok = log.length === COMPLETED_LOG.length && log.every((e, i) => e === COMPLETED_LOG[i]);
    return ok ? [] : [`completed, but its effects were ${shown} (expected ${COMPLETED_LOG.join(', ')})`];
  }
  if (state.status !== 'compensated') return [];
  const problems: string[] = [];
  for (const [effect, count] of Object.entries(effects.counts)) if (count > 1) problems.push(`${effect} ${count} times`);
  const made = log.filter((e) => UNDO[e] !== undefined);
  if (!made.every((e, i) => e === MADE_IN_ORDER[i])) problems.push(`made out of saga order: ${made.join(', ')}`);
  const undone = log.filter((e) => !UNDO[e] && e !== 'email.sent');
  const expectedUndo = [...made].reverse().map((e) => UNDO[e]!);
  if (undone.length !== expectedUndo.length || !undone.every((e, i) => e === expectedUndo[i])) {
    problems.push(`undone ${undone.length === 0 ? 'nothing' : undone.join(', ')}, expected ${expectedUndo.length === 0 ? 'nothing' : expectedUndo.join(', ')}`);
  }
  const firstUndo = log.findIndex((e) => undone.includes(e));
  const lastDo = log.reduce((last, e, i) => (UNDO[e] !== undefined || e === 'email.sent' ? i : last), -1);
  if (firstUndo >= 0 && firstUndo < lastDo) problems.push(`an undo came before the last step's effect: ${shown}`);
  if (effects.counts['email.sent'] > 0 && !emailMayHaveBeenSent(state)) problems.push('a welcome email went out, yet the email step never succeeded or timed out');
  return problems.map((p) => `compensated, but ${p}`);
}
