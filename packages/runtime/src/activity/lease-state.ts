/**
 * Active-passive agents: one instance consumes while it holds the agent's lease; the others wait as hot
 * standbys. These are the pure decisions: what an instance is after each answer from the lease store, and
 * until when its lease is its own by its own clock.
 */

/** What an instance of an active-passive agent is doing. */
export type ActivityRole = 'active' | 'standby';

export interface LeaseTiming {
  /** How long the store keeps a lease nobody renews: a standby takes over this long after the active one's last renewal. */
  ttlMs: number;
  /** How often the active instance renews. */
  renewEveryMs: number;
  /** How often a standby asks for the lease. */
  pollEveryMs: number;
  /**
   * The active instance stops this long before the store can give the lease to another, so the two are
   * never active at once even with a write in flight or clocks that run a little apart.
   */
  marginMs: number;
}

export type Activity =
  | { readonly role: 'standby'; readonly since: number }
  /** `liveUntil`: when the lease stops being ours by our own clock, counted from when the last renewal was sent. */
  | { readonly role: 'active'; readonly token: number; readonly since: number; readonly liveUntil: number };

/** An answer from the lease store, with when its request was sent (a monotonic clock). */
export type LeaseAnswer =
  | { kind: 'acquired'; token: number; sentAt: number }
  | { kind: 'held-by-other'; holder: string; sentAt: number }
  | { kind: 'renewed'; sentAt: number }
  | { kind: 'lost'; sentAt: number }
  | { kind: 'unreachable'; error: string; sentAt: number };

export interface ActivityChange {
  activity: Activity;
  /** Set when the role changed: what the instance must do now, and why. */
  change?: { to: ActivityRole; reason: string };
}

export function standby(now: number): Activity {
  return { role: 'standby', since: now };
}

/** The timing's invariants: a lease renewed several times within its life, with room for the margin. */
export function checkLeaseTiming(t: LeaseTiming): void {
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`lease ${name} must be a non-negative number, got ${value}`);
  }
  if (t.renewEveryMs <= 0 || t.pollEveryMs <= 0) throw new RangeError('lease renewEveryMs and pollEveryMs must be positive');
  if (t.marginMs + t.renewEveryMs >= t.ttlMs) throw new RangeError(`lease ttlMs (${t.ttlMs}) must exceed marginMs + renewEveryMs (${t.marginMs + t.renewEveryMs})`);
}

/** Applies one answer of the lease store. */
export function onLeaseAnswer(current: Activity, answer: LeaseAnswer, timing: LeaseTiming, now: number): ActivityChange {
  const liveUntil = answer.sentAt + timing.ttlMs - timing.marginMs;
  switch (answer.kind) {
    case 'acquired':
      if (current.role === 'active' && current.token === answer.token) return { activity: { ...current, liveUntil } };
      return { activity: { role: 'active', token: answer.token, since: now, liveUntil }, change: { to: 'active', reason: `took the lease with fencing token ${answer.token}` } };
    case 'renewed':
      if (current.role !== 'active') return { activity: current };
      return { activity: { ...current, liveUntil: Math.max(current.liveUntil, liveUntil) } };
    case 'lost':
      if (current.role !== 'active') return { activity: current };
      return { activity: standby(now), change: { to: 'standby', reason: 'the lease was taken over or expired' } };
    case 'held-by-other':
      if (current.role !== 'active') return { activity: current };
      return { activity: standby(now), change: { to: 'standby', reason: `the lease is held by ${answer.holder}` } };
    case 'unreachable':
      return lapseIfDue(current, now, answer.error);
  }
}

/** An active instance whose lease ran out by its own clock (renewals not answered) becomes a standby. */
export function lapseIfDue(current: Activity, now: number, why = 'renewals were not answered'): ActivityChange {
  if (current.role !== 'active' || now < current.liveUntil) return { activity: current };
  return { activity: standby(now), change: { to: 'standby', reason: `the lease lapsed: ${why}` } };
}

/** True while the instance may write as the active one. */
export function isLive(activity: Activity, now: number): boolean {
  return activity.role === 'active' && now < activity.liveUntil;
}

/** When to ask the store next: a renewal, a poll, or (active, renewals failing) the lapse, whichever comes first. */
export function nextLeaseCheckInMs(activity: Activity, timing: LeaseTiming, now: number): number {
  if (activity.role === 'standby') return timing.pollEveryMs;
  return Math.max(0, Math.min(timing.renewEveryMs, activity.liveUntil - now));
}
