import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { Timers } from '../kafka/timers';
import { FencedError, type ActiveLeaseStore, type StoreFence } from './lease-store';
import { isLive, lapseIfDue, nextLeaseCheckInMs, onLeaseAnswer, standby, type Activity, type ActivityChange, type ActivityRole, type LeaseAnswer, type LeaseTiming } from './lease-state';

export interface ActiveLeaseOptions {
  agent: string;
  instanceId: string;
  store: ActiveLeaseStore;
  timing: LeaseTiming;
  logger: Logger;
  /** A monotonic clock in ms (a lease's life must not jump with the wall clock). Default performance.now. */
  now?: () => number;
  /** The instance became the active one: start consuming. Transitions run one at a time, in order. */
  onActive(token: number): Promise<void>;
  /** The instance is a standby again (lost the lease, or stopping): stop consuming. */
  onStandby(reason: string, stopping: boolean): Promise<void>;
}

/**
 * The I/O shell of an active-passive agent's lease (the decisions are lease-state.ts's): a standby asks
 * for the lease every pollEveryMs, the active instance renews it every renewEveryMs, and stops being
 * active when a renewal is refused or when its lease runs out by its own clock. Every write of the
 * active instance is fenced: assertLive() before a produce, fence() for a store-side check.
 */
export class ActiveLease {
  private activity: Activity;
  private readonly timers = new Timers();
  private lapseTimer: NodeJS.Timeout | undefined;
  private transitions: Promise<void> = Promise.resolve();
  private stopping = false;
  private stopped = false;
  private readonly now: () => number;
  private markDecided: (role: ActivityRole) => void = () => undefined;
  private answered = false;
  /** The role of the first answer the store gave (active, or standby behind another instance). */
  readonly decided: Promise<ActivityRole> = new Promise((resolve) => (this.markDecided = resolve));

  constructor(private readonly options: ActiveLeaseOptions) {
    this.now = options.now ?? (() => performance.now());
    this.activity = standby(this.now());
  }

  get role(): ActivityRole {
    return this.activity.role;
  }

  /** True once the store has answered: until then a standby is only starting. */
  get decidedYet(): boolean {
    return this.answered;
  }

  /** The fencing token while active. */
  get token(): number | undefined {
    return this.activity.role === 'active' ? this.activity.token : undefined;
  }

  start(): void {
    void this.check();
  }

  /** True while this instance may write as the active one. */
  isLive(): boolean {
    return isLive(this.activity, this.now());
  }

  /** Throws FencedError unless this instance may write as the active one. */
  assertLive(): void {
    if (!this.isLive()) throw new FencedError('activity', `${this.options.instanceId} is not the active instance of ${this.options.agent}: the write is refused`);
  }

  /** What a store-side write carries while active; undefined otherwise. */
  fence(): StoreFence | undefined {
    return this.activity.role === 'active' ? this.options.store.fence(this.options.agent, this.options.instanceId, this.activity.token) : undefined;
  }

  /** Stops consuming (onStandby), then gives the lease up so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.transitions;
    const wasActive = this.activity;
    if (wasActive.role === 'active') await this.options.onStandby('stopping', true);
    this.stopped = true;
    this.timers.clear();
    if (this.lapseTimer) clearTimeout(this.lapseTimer);
    if (wasActive.role !== 'active') return;
    this.activity = standby(this.now());
    try {
      await this.options.store.release(this.options.agent, this.options.instanceId, wasActive.token);
    } catch (error) {
      this.options.logger.warn({ error: (error as Error).message }, 'could not release the active lease; a standby takes over when it expires');
    }
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    const { store, agent, instanceId, timing } = this.options;
    const current = this.activity;
    if (current.role === 'standby' && this.stopping) return;
    const sentAt = this.now();
    let answer: LeaseAnswer;
    try {
      if (current.role === 'active') {
        answer = (await store.renew(agent, instanceId, current.token, timing.ttlMs)) ? { kind: 'renewed', sentAt } : { kind: 'lost', sentAt };
      } else {
        const got = await store.acquire(agent, instanceId, timing.ttlMs);
        answer = got.acquired ? { kind: 'acquired', token: got.token, sentAt } : { kind: 'held-by-other', holder: got.holder.instanceId, sentAt };
      }
    } catch (error) {
      answer = { kind: 'unreachable', error: (error as Error).message, sentAt };
    }
    if (this.stopped) return;
    if (answer.kind === 'unreachable' && current.role === 'active') this.options.logger.warn({ error: answer.error }, 'could not renew the active lease');
    this.apply(onLeaseAnswer(this.activity, answer, timing, this.now()));
    if (answer.kind !== 'unreachable') {
      this.answered = true;
      this.markDecided(this.activity.role);
    }
    this.timers.after(nextLeaseCheckInMs(this.activity, timing, this.now()), () => void this.check());
  }

  private apply({ activity, change }: ActivityChange): void {
    this.activity = activity;
    if (this.lapseTimer) clearTimeout(this.lapseTimer);
    this.lapseTimer = undefined;
    if (activity.role === 'active') {
      // Renewals may hang (a frozen store): the lease still ends on time by this clock.
      this.lapseTimer = setTimeout(() => this.apply(lapseIfDue(this.activity, this.now())), Math.max(0, activity.liveUntil - this.now()) + 1);
      this.lapseTimer.unref();
    }
    if (!change) return;
    const { logger } = this.options;
    if (change.to === 'active' && activity.role === 'active') {
      const token = activity.token;
      logger.info({ fencingToken: token }, `active instance: ${change.reason}`);
      this.transitions = this.transitions
        .then(() => this.options.onActive(token))
        .catch((error: unknown) => logger.error({ error: (error as Error).message }, 'could not start consuming as the active instance'));
    } else {
      logger.warn({ reason: change.reason }, `standby instance: ${change.reason}`);
      this.transitions = this.transitions
        .then(() => this.options.onStandby(change.reason, false))
        .catch((error: unknown) => logger.error({ error: (error as Error).message }, 'could not stop consuming as a standby'));
    }
  }
}
