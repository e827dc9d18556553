import { checkLeaseTiming, isLive, lapseIfDue, nextLeaseCheckInMs, onLeaseAnswer, standby, type Activity, type LeaseTiming } from './lease-state';

const timing: LeaseTiming = { ttlMs: 10_000, renewEveryMs: 1_000, pollEveryMs: 250, marginMs: 2_000 };
const active = (token: number, liveUntil: number): Activity => ({ role: 'active', token, since: 0, liveUntil });

describe('an active-passive instance', () => {
  it('becomes active when it takes the lease, live until ttl - margin after the request was sent', () => {
    const { activity, change } = onLeaseAnswer(standby(0), { kind: 'acquired', token: 7, sentAt: 100 }, timing, 105);
    expect(activity).toEqual({ role: 'active', token: 7, since: 105, liveUntil: 100 + 10_000 - 2_000 });
    expect(change?.to).toBe('active');
    expect(isLive(activity, 8_099)).toBe(true);
    expect(isLive(activity, 8_100)).toBe(false);
  });

  it('stays a standby while another instance holds the lease', () => {
    const { activity, change } = onLeaseAnswer(standby(0), { kind: 'held-by-other', holder: 'b', sentAt: 100 }, timing, 100);
    expect(activity.role).toBe('standby');
    expect(change).toBeUndefined();
  });

  it('extends its life with each renewal, never shortens it', () => {
    const renewed = onLeaseAnswer(active(7, 8_100), { kind: 'renewed', sentAt: 1_000 }, timing, 1_010);
    expect(renewed.activity).toMatchObject({ role: 'active', token: 7, liveUntil: 9_000 });
    expect(renewed.change).toBeUndefined();
    // A late answer to an older renewal does not pull the end back.
    expect(onLeaseAnswer(renewed.activity, { kind: 'renewed', sentAt: 500 }, timing, 1_020).activity).toMatchObject({ liveUntil: 9_000 });
  });

  it('becomes a standby at once when a renewal is refused (another instance took over)', () => {
    const { activity, change } = onLeaseAnswer(active(7, 8_100), { kind: 'lost', sentAt: 1_000 }, timing, 1_001);
    expect(activity.role).toBe('standby');
    expect(change).toEqual({ to: 'standby', reason: 'the lease was taken over or expired' });
  });

  it('keeps writing while the store is unreachable until its lease runs out by its own clock, then stops', () => {
    const still = onLeaseAnswer(active(7, 8_100), { kind: 'unreachable', error: 'ECONNREFUSED', sentAt: 5_000 }, timing, 5_001);
    expect(still.activity.role).toBe('active');
    expect(still.change).toBeUndefined();
    const lapsed = onLeaseAnswer(still.activity, { kind: 'unreachable', error: 'ECONNREFUSED', sentAt: 8_000 }, timing, 8_100);
    expect(lapsed.activity.role).toBe('standby');
    expect(lapsed.change?.reason).toBe('the lease lapsed: ECONNREFUSED');
    expect(lapseIfDue(active(7, 8_100), 8_099).change).toBeUndefined();
    expect(lapseIfDue(active(7, 8_100), 8_100).change?.to).toBe('standby');
  });

  it('re-taking its own lease (same token) is no change', () => {
    const again = onLeaseAnswer(active(7, 8_100), { kind: 'acquired', token: 7, sentAt: 1_000 }, timing, 1_000);
    expect(again.change).toBeUndefined();
    expect(again.activity).toMatchObject({ token: 7, liveUntil: 9_000 });
  });

  it('asks again: a standby every poll, the active one every renewal or at its lapse if sooner', () => {
    expect(nextLeaseCheckInMs(standby(0), timing, 0)).toBe(250);
    expect(nextLeaseCheckInMs(active(7, 8_100), timing, 1_000)).toBe(1_000);
    expect(nextLeaseCheckInMs(active(7, 8_100), timing, 7_800)).toBe(300);
  });

  it('refuses timings where the lease could lapse between renewals or the margin eats it', () => {
    expect(() => checkLeaseTiming(timing)).not.toThrow();
    expect(() => checkLeaseTiming({ ...timing, marginMs: 9_500 })).toThrow(/must exceed marginMs \+ renewEveryMs/);
    expect(() => checkLeaseTiming({ ...timing, pollEveryMs: 0 })).toThrow(/must be positive/);
  });
});
