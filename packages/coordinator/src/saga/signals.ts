import { ACTIVE_STATUSES, type SagaSignal, type SagaState } from './state';

/** Signal ids a saga remembers, to tell the same signal read again; the oldest are forgotten first. */
export const SEEN_SIGNALS_KEPT = 50;
/** Signals a saga holds for its owner at most: more, unlooked-at, is a sender gone wrong. */
export const MAX_PENDING_SIGNALS = 20;

/** Why a signal was not recorded for the owner. */
export type SignalRefusal = 'duplicate' | 'not-active' | 'too-many';

/**
 * The state with `signal` handed to the saga's owner, or why not. A saga waiting on a step is made due at
 * once; another active saga gets to it on its next look (where a signal for a step it is not waiting on is
 * ignored). Pure: the store writes the result compare-and-set, like an operator's resume request.
 */
export function withPendingSignal(state: SagaState, signal: SagaSignal, now: number): { state: SagaState } | { refused: SignalRefusal } {
  if (state.seenSignals?.includes(signal.id) || state.pendingSignals?.some((s) => s.id === signal.id)) return { refused: 'duplicate' };
  if (!ACTIVE_STATUSES.includes(state.status)) return { refused: 'not-active' };
  const pending = state.pendingSignals ?? [];
  if (pending.length >= MAX_PENDING_SIGNALS) return { refused: 'too-many' };
  const waiting = state.status === 'waiting' ? state.waiting : undefined;
  const waitedOn = waiting !== undefined && state.steps[waiting.step]?.name === signal.step;
  const { waitBegunAt: _sentWith, ...sent } = signal;
  const recorded: SagaSignal = waitedOn ? { ...sent, waitBegunAt: waiting.since } : sent;
  const next: SagaState = { ...state, pendingSignals: [...pending, recorded] };
  if (state.status === 'waiting') next.wakeAt = Math.min(state.wakeAt ?? now, now);
  return { state: next };
}

/** The ids seen with `id` added, bounded. */
export function rememberSignal(seen: readonly string[] | undefined, id: string): string[] {
  return [...(seen ?? []), id].slice(-SEEN_SIGNALS_KEPT);
}

/** The data patch with `fields` on top (a later signal's field wins). */
export function mergePatch(patch: Readonly<Record<string, unknown>> | undefined, fields: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (fields === undefined || Object.keys(fields).length === 0) return patch === undefined ? undefined : { ...patch };
  return { ...(patch ?? {}), ...fields };
}
