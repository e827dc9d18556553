import { setTimeout as sleep } from 'node:timers/promises';
import { faultFor, type ActiveFault, type CallSite } from './command';

/** The failure a FAIL fault makes a call throw: transient, like the dependency failures it stands for. */
export class ChaosInjectedError extends Error {
  override readonly name = 'ChaosInjectedError';
}

/** What a fault did while it lasted, reported when it ends. */
export const ChaosCounter = {
  delayedCalls: 'delayedCalls',
  failedCalls: 'failedCalls',
  refusedCalls: 'refusedCalls',
  breakersOpened: 'breakersOpened',
  pausedMs: 'pausedMs',
} as const;

/**
 * The faults in force in one process, and what each has done. The worker's hooks ask it before a call;
 * with no fault in force they get undefined at once, so an agent with chaos enabled but idle pays a
 * lookup per call and nothing more.
 */
export class ChaosFaults {
  private active: ActiveFault[] = [];
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(private readonly clock: () => number = Date.now) {}

  begin(fault: ActiveFault): void {
    const now = this.clock();
    this.active = [...this.active.filter((f) => f.endsAt > now && f.commandId !== fault.commandId), fault];
    this.counts.set(fault.commandId, new Map());
  }

  /** Ends one fault (its time is up): what it did. */
  end(commandId: string): Record<string, number> {
    this.active = this.active.filter((f) => f.commandId !== commandId);
    const counts = Object.fromEntries(this.counts.get(commandId) ?? []);
    this.counts.delete(commandId);
    return counts;
  }

  /** The faults in force now. */
  current(): readonly ActiveFault[] {
    const now = this.clock();
    return this.active.filter((f) => f.endsAt > now);
  }

  note(commandId: string, counter: string, by = 1): void {
    const counts = this.counts.get(commandId);
    if (counts) counts.set(counter, (counts.get(counter) ?? 0) + by);
  }

  /** Something the faults not yet ended caused together (a breaker opened by calls they delayed). */
  noteAll(counter: string): void {
    for (const counts of this.counts.values()) counts.set(counter, (counts.get(counter) ?? 0) + 1);
  }

  /**
   * Before a call at `site`: undefined when no fault applies, else a promise that waits the fault's
   * delay (ended early, as a failure, when `signal` aborts: the handler's deadline) or rejects.
   */
  beforeCall(site: CallSite, signal?: AbortSignal): Promise<void> | undefined {
    if (this.active.length === 0) return undefined;
    const fault = faultFor(this.active, site, this.clock());
    if (!fault) return undefined;
    if (fault.fault === 'DELAY') {
      this.note(fault.commandId, ChaosCounter.delayedCalls);
      return sleep(fault.delayMs, undefined, signal ? { signal } : {});
    }
    this.note(fault.commandId, ChaosCounter.failedCalls);
    return Promise.reject(new ChaosInjectedError(`chaos: ${describeSite(site)} failed by command ${fault.commandId}`));
  }

  /** The simulated outage in force for `site` ('registry' or 'redis'), counted as a refused call. */
  outage(site: 'registry' | 'redis'): ActiveFault | undefined {
    if (this.active.length === 0) return undefined;
    const fault = faultFor(this.active, { kind: site }, this.clock());
    if (fault) this.note(fault.commandId, ChaosCounter.refusedCalls);
    return fault;
  }
}

function describeSite(site: CallSite): string {
  return site.kind === 'breaker' ? `call through breaker '${site.name}'` : `${site.kind} call`;
}
