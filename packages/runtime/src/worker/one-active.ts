import type { Logger } from 'pino';
import type { Agent } from '../agent/types';
import { ActiveLease } from '../activity/active-lease';
import { checkLeaseTiming, type LeaseTiming } from '../activity/lease-state';
import type { ActiveLeaseStore } from '../activity/lease-store';
import type { ConsumerSlot } from '../kafka/consumer-slot';
import { DEFAULT_SESSION_TIMEOUT_MS } from '../kafka/supervised-consumer';

/**
 * A one-active agent's lease: a standby takes over about ttlMs after the active instance's last renewal.
 * The margin keeps the old instance's writes clear of the new one's start.
 */
export const DEFAULT_LEASE_TIMING: Readonly<LeaseTiming> = { ttlMs: 10_000, renewEveryMs: 1_000, pollEveryMs: 250, marginMs: 2_000 };

/** How long a member that lost its lease waits for its batches before leaving: their writes are refused anyway. */
const LOST_LEASE_DRAIN_MS = 500;

export function leaseTiming(overrides: Partial<LeaseTiming> | undefined): LeaseTiming {
  const timing = { ...DEFAULT_LEASE_TIMING, ...overrides };
  checkLeaseTiming(timing);
  return timing;
}

/**
 * The group session of a one-active agent's member: short enough that a dead active member has left the
 * group by the time its lease can move, so the new active one's join does not wait for it.
 */
export function oneActiveSessionTimeoutMs(timing: LeaseTiming, requested: number | undefined): number {
  return Math.min(requested ?? DEFAULT_SESSION_TIMEOUT_MS, timing.ttlMs - timing.marginMs);
}

export interface OneActiveOptions {
  agent: Agent;
  instanceId: string;
  store: ActiveLeaseStore;
  timing: LeaseTiming;
  slot: ConsumerSlot;
  drainTimeoutMs: number;
  logger: Logger;
}

/** The lease that opens the worker's group member while this instance is the active one, and closes it otherwise. */
export function oneActiveLease(o: OneActiveOptions): ActiveLease {
  const standbyCheck = { ok: true, detail: 'standby: another instance of this one-active agent is active' };
  o.slot.idle = standbyCheck;
  return new ActiveLease({
    agent: o.agent.name,
    instanceId: o.instanceId,
    store: o.store,
    timing: o.timing,
    logger: o.logger,
    onActive: () => o.slot.start(),
    onStandby: async (_reason, stopping) => {
      // Stopping: drain as any worker does. Lost: the batches under way are the new active instance's now.
      const drained = stopping ? await o.slot.stop(o.drainTimeoutMs) : await o.slot.stop(LOST_LEASE_DRAIN_MS, standbyCheck, true);
      if (drained === 'timeout') o.logger.warn('left the group with handlers in flight: their writes are refused');
    },
  });
}
