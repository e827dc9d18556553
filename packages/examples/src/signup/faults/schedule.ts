import { seededUniform } from '../../invoice/failure-injection';

/**
 * The faults of one run, drawn from its seed: the same seed gives the same
 * faults at the same moments (relative to when publishing began), so a
 * failing seed can be run again.
 *
 * Each round has two faults, at independent moments of its share of the
 * window:
 *  - `participant`: kill -9 one participant, start it again a moment later;
 *  - `coordinator`: kill -9 one coordinator and start its replacement at once;
 *    the replacement's join (or the dead one's session running out) sends the
 *    group into a rebalance, and Redis is killed -9 as soon as the group is
 *    seen rebalancing: the partition claims that end the rebalance meet a
 *    dead Redis. Redis is started again (from its AOF) a little after the
 *    group has settled.
 *  - `broker` (only when asked for): the broker is stopped and started again on the same port and data
 *    directory a moment later, with every process connected to it.
 */

export interface FaultScheduleOptions {
  seed: number;
  /** The participants' names: one of them is killed per round. */
  participants: readonly string[];
  /** How many coordinator processes run: one of them is killed per round. */
  coordinators: number;
  /** Faults fall in [windowStartMs, windowStartMs + windowMs), in ms after publishing began. */
  windowStartMs: number;
  windowMs: number;
  /** Rounds of faults, each in its own slice of the window. Default 1. */
  rounds?: number;
  /** How long a killed participant stays down before it is started again: [min, max] ms. Default [0, 1000]. */
  participantDownMs?: readonly [number, number];
  /** How long Redis stays down after the coordinator group has settled: [min, max] ms. Default [300, 1500]. */
  redisDownAfterRebalanceMs?: readonly [number, number];
  /** Which faults each round has. Default participant and coordinator (each with its Redis kill). */
  kinds?: readonly FaultKind[];
  /** How long the broker stays down: [min, max] ms. Default [500, 2000]. */
  brokerDownMs?: readonly [number, number];
}

export type FaultKind = 'participant' | 'coordinator' | 'broker';

export interface ParticipantFault {
  kind: 'participant';
  round: number;
  /** ms after publishing began. */
  atMs: number;
  participant: string;
  /** The pause between the kill and the restart. */
  downMs: number;
}

export interface CoordinatorFault {
  kind: 'coordinator';
  round: number;
  atMs: number;
  /** Which coordinator (0-based slot) is killed. */
  coordinator: number;
  /** Redis is killed once the group is seen rebalancing, and started again this long after the group is stable. */
  redisDownAfterRebalanceMs: number;
}

export interface BrokerFault {
  kind: 'broker';
  round: number;
  atMs: number;
  /** The pause between the stop and the start. */
  downMs: number;
}

export type PlannedFault = ParticipantFault | CoordinatorFault | BrokerFault;

export interface FaultSchedule {
  seed: number;
  /** One list per round, in the order of their moments. */
  rounds: PlannedFault[][];
}

function between(range: readonly [number, number], draw: number): number {
  return Math.round(range[0] + (range[1] - range[0]) * draw);
}

function checkRange(name: string, range: readonly [number, number]): void {
  if (!(range[0] >= 0 && range[1] >= range[0])) throw new Error(`${name} must be [min, max] with 0 <= min <= max, got [${range.join(', ')}]`);
}

/** Draws the faults of a run from its seed. */
export function faultSchedule(options: FaultScheduleOptions): FaultSchedule {
  const rounds = options.rounds ?? 1;
  const participantDownMs = options.participantDownMs ?? [0, 1_000];
  const redisDownMs = options.redisDownAfterRebalanceMs ?? [300, 1_500];
  const brokerDownMs = options.brokerDownMs ?? [500, 2_000];
  const kinds = new Set(options.kinds ?? ['participant', 'coordinator']);
  if (kinds.size === 0) throw new Error('no kinds of fault asked for');
  if (!Number.isInteger(options.seed)) throw new Error(`seed must be a whole number, got ${options.seed}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a whole number >= 1, got ${rounds}`);
  if (options.participants.length === 0) throw new Error('no participants to kill');
  if (!Number.isInteger(options.coordinators) || options.coordinators < 2) throw new Error(`coordinators must be 2 or more (one is killed while another runs), got ${options.coordinators}`);
  if (!(options.windowStartMs >= 0 && options.windowMs > 0)) throw new Error(`the fault window must start at >= 0 and last > 0 ms, got ${options.windowStartMs} + ${options.windowMs}`);
  checkRange('participantDownMs', participantDownMs);
  checkRange('redisDownAfterRebalanceMs', redisDownMs);
  checkRange('brokerDownMs', brokerDownMs);

  const slice = options.windowMs / rounds;
  const draw = (round: number, what: string) => seededUniform('saga-faults', options.seed, round, what);
  const schedule: FaultSchedule = { seed: options.seed, rounds: [] };
  for (let round = 0; round < rounds; round++) {
    const start = options.windowStartMs + round * slice;
    const at = (what: string) => Math.round(start + draw(round, what) * slice);
    const participant: ParticipantFault = {
      kind: 'participant',
      round,
      atMs: at('participant-at'),
      participant: options.participants[Math.floor(draw(round, 'participant') * options.participants.length)]!,
      downMs: between(participantDownMs, draw(round, 'participant-down')),
    };
    const coordinator: CoordinatorFault = {
      kind: 'coordinator',
      round,
      atMs: at('coordinator-at'),
      coordinator: Math.floor(draw(round, 'coordinator') * options.coordinators),
      redisDownAfterRebalanceMs: between(redisDownMs, draw(round, 'redis-down')),
    };
    const broker: BrokerFault = { kind: 'broker', round, atMs: at('broker-at'), downMs: between(brokerDownMs, draw(round, 'broker-down')) };
    const planned: PlannedFault[] = [participant, coordinator, broker].filter((f) => kinds.has(f.kind));
    schedule.rounds.push(planned.sort((a, b) => a.atMs - b.atMs));
  }
  return schedule;
}

/** One line of a planned fault, for the run's log. */
export function describePlannedFault(fault: PlannedFault, coordinatorName: (slot: number) => string = (slot) => `coordinator-${slot + 1}`): string {
  const at = `+${(fault.atMs / 1000).toFixed(2)} s`;
  if (fault.kind === 'participant') return `${at} kill -9 ${fault.participant}, restart it ${fault.downMs} ms later`;
  if (fault.kind === 'broker') return `${at} stop the broker, start it again ${fault.downMs} ms later (same port, same data)`;
  return `${at} kill -9 ${coordinatorName(fault.coordinator)} and start its replacement; kill -9 Redis once the group rebalances, restart it ${fault.redisDownAfterRebalanceMs} ms after the group settles`;
}
