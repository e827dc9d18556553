import type { BrokerFault, CoordinatorFault, FaultSchedule, ParticipantFault, PlannedFault } from './schedule';

/**
 * Carries out a fault schedule against what a run started: the kills, the
 * restarts, and Redis's kill timed by the coordinator group's rebalance. The
 * rounds go one after another; the faults of a round run side by side, each
 * from its moment. What was done, and when, is written down as it happens.
 */

/** What the faults act on. Starts resolve once the process is ready (and retry as they see fit); they reject when it never gets there. */
export interface FaultTargets {
  /** kill -9; resolves with how the process ended. */
  killParticipant(name: string): Promise<string>;
  startParticipant(name: string): Promise<void>;
  killCoordinator(slot: number): Promise<string>;
  /** Starts the slot's replacement. */
  startCoordinator(slot: number): Promise<void>;
  coordinatorName(slot: number): string;
  killRedis(): Promise<void>;
  startRedis(): Promise<void>;
  /** Stops the broker every process is connected to. */
  stopBroker(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  startBroker(): Promise<void>;
  /** Resolves with the coordinator group's state once it is rebalancing (PreparingRebalance or CompletingRebalance); rejects past the bound. */
  rebalanceStarted(timeoutMs: number): Promise<string>;
  /** Resolves once the coordinator group is Stable; rejects past the bound. */
  rebalanceSettled(timeoutMs: number): Promise<string>;
}

export interface FaultEvent {
  /** ms after publishing began. */
  atMs: number;
  what: string;
}

export interface InjectionResult {
  events: FaultEvent[];
  /** Things that did not go as planned (no rebalance seen, a replacement never ready): they explain a verdict, they are not one. */
  notes: string[];
  /** When the last fault was over: its process (or Redis) back and ready, or given up on. */
  endedAt: number;
}

export interface InjectOptions {
  /** When publishing began (epoch ms): the schedule's moments count from here. */
  startedAt: number;
  /** Bound on seeing the coordinator group start, and then end, a rebalance. */
  rebalanceTimeoutMs: number;
  signal?: AbortSignal;
  clock?: () => number;
  /** Told of every event as it happens (progress output). */
  onEvent?: (event: FaultEvent) => void;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs the schedule; resolves once every fault is over. Rejects only when aborted or when a kill or Redis's restart fails. */
export async function injectFaults(schedule: FaultSchedule, targets: FaultTargets, options: InjectOptions): Promise<InjectionResult> {
  const clock = options.clock ?? Date.now;
  const { signal } = options;
  const events: FaultEvent[] = [];
  const notes: string[] = [];
  let endedAt = options.startedAt;
  const record = (what: string) => {
    const event = { atMs: clock() - options.startedAt, what };
    events.push(event);
    options.onEvent?.(event);
  };
  const over = () => {
    endedAt = Math.max(endedAt, clock());
  };

  async function participantFault(fault: ParticipantFault): Promise<void> {
    const how = await targets.killParticipant(fault.participant);
    record(`kill -9 ${fault.participant} (${how})`);
    await sleep(fault.downMs, signal);
    try {
      await targets.startParticipant(fault.participant);
      record(`${fault.participant} restarted and ready`);
    } catch (error) {
      notes.push(`${fault.participant} could not be restarted: ${message(error)}`);
      record(`${fault.participant} not restarted`);
    }
    over();
  }

  async function coordinatorFault(fault: CoordinatorFault): Promise<void> {
    const name = targets.coordinatorName(fault.coordinator);
    const how = await targets.killCoordinator(fault.coordinator);
    record(`kill -9 ${name} (${how}); starting its replacement`);
    const replacement = targets.startCoordinator(fault.coordinator).then(
      () => undefined,
      (error: unknown) => message(error),
    );
    try {
      const state = await targets.rebalanceStarted(options.rebalanceTimeoutMs);
      record(`coordinator group ${state}: kill -9 Redis`);
    } catch (error) {
      notes.push(`round ${fault.round + 1}: the coordinator group was not seen rebalancing after ${name} was killed (${message(error)}); Redis was killed anyway`);
      record('no rebalance seen: kill -9 Redis');
    }
    await targets.killRedis();
    try {
      await targets.rebalanceSettled(options.rebalanceTimeoutMs);
      record(`coordinator group stable again (Redis down); Redis back in ${fault.redisDownAfterRebalanceMs} ms`);
    } catch (error) {
      notes.push(`round ${fault.round + 1}: the coordinator group did not settle while Redis was down (${message(error)})`);
      record('coordinator group not stable; starting Redis anyway');
    }
    await sleep(fault.redisDownAfterRebalanceMs, signal);
    await targets.startRedis();
    record('Redis restarted from its AOF');
    const failed = await replacement;
    if (failed === undefined) record(`${name}'s replacement ready`);
    else {
      notes.push(`${name}'s replacement never got ready: ${failed}`);
      record(`${name}'s replacement not ready`);
    }
    over();
  }

  async function brokerFault(fault: BrokerFault): Promise<void> {
    await targets.stopBroker();
    record('broker stopped');
    await sleep(fault.downMs, signal);
    await targets.startBroker();
    record(`broker started again after ${fault.downMs} ms`);
    over();
  }

  const run = async (fault: PlannedFault) => {
    await sleep(options.startedAt + fault.atMs - clock(), signal);
    if (fault.kind === 'participant') await participantFault(fault);
    else if (fault.kind === 'coordinator') await coordinatorFault(fault);
    else await brokerFault(fault);
  };
  for (const round of schedule.rounds) {
    const results = await Promise.allSettled(round.map(run));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
  return { events, notes, endedAt };
}
