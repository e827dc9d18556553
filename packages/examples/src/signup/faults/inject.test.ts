import { injectFaults, sleep, type FaultTargets } from './inject';
import type { FaultSchedule } from './schedule';

/** Targets that write down what was asked of them, in order; each wait can be made to fail. */
function fakeTargets(options: { rebalanceSeen?: boolean; replacementFails?: boolean; startMs?: number } = {}) {
  const calls: string[] = [];
  const started = async (what: string) => {
    await sleep(options.startMs ?? 5);
    calls.push(what);
  };
  const targets: FaultTargets = {
    killParticipant: async (name) => (calls.push(`kill ${name}`), 'killed by SIGKILL'),
    startParticipant: (name) => started(`${name} ready`),
    killCoordinator: async (slot) => (calls.push(`kill coordinator ${slot}`), 'killed by SIGKILL'),
    startCoordinator: async (slot) => {
      calls.push(`start coordinator ${slot}`);
      await sleep(30);
      if (options.replacementFails) throw new Error('coordinator-1 was not ready within 30 ms');
      calls.push(`coordinator ${slot} ready`);
    },
    coordinatorName: (slot) => `coordinator-${slot + 1}`,
    stopBroker: async () => void calls.push('stop broker'),
    startBroker: () => started('broker ready'),
    killRedis: async () => void calls.push('kill redis'),
    startRedis: () => started('redis ready'),
    rebalanceStarted: async () => {
      if (options.rebalanceSeen === false) throw new Error('group still Stable after 10 ms');
      calls.push('rebalancing');
      return 'PreparingRebalance';
    },
    rebalanceSettled: async () => (calls.push('stable'), 'Stable'),
  };
  return { calls, targets };
}

const ONE_ROUND: FaultSchedule = {
  seed: 1,
  rounds: [
    [
      { kind: 'coordinator', round: 0, atMs: 0, coordinator: 0, redisDownAfterRebalanceMs: 10 },
      { kind: 'participant', round: 0, atMs: 200, participant: 'signup-emails', downMs: 10 },
    ],
  ],
};

describe('carrying out the fault schedule', () => {
  it('kills the coordinator, starts its replacement, kills Redis while the group rebalances and restarts it once the group settles', async () => {
    const { calls, targets } = fakeTargets();
    const startedAt = Date.now();
    const result = await injectFaults(ONE_ROUND, targets, { startedAt, rebalanceTimeoutMs: 1_000 });
    // The replacement gets ready side by side with the Redis cycle: in order within each, the round's end after both.
    const replacementReady = calls.indexOf('coordinator 0 ready');
    expect(replacementReady).toBeGreaterThan(calls.indexOf('start coordinator 0'));
    expect(replacementReady).toBeLessThan(calls.indexOf('kill signup-emails'));
    expect(calls.filter((c) => c !== 'coordinator 0 ready')).toEqual([
      'kill coordinator 0',
      'start coordinator 0',
      'rebalancing',
      'kill redis',
      'stable',
      'redis ready',
      'kill signup-emails',
      'signup-emails ready',
    ]);
    expect(result.notes).toEqual([]);
    const events = result.events.map((e) => e.what);
    const readyEvent = "coordinator-1's replacement ready";
    expect(events.indexOf(readyEvent)).toBeLessThan(events.indexOf('kill -9 signup-emails (killed by SIGKILL)'));
    expect(events.filter((e) => e !== readyEvent)).toEqual([
      'kill -9 coordinator-1 (killed by SIGKILL); starting its replacement',
      'coordinator group PreparingRebalance: kill -9 Redis',
      'coordinator group stable again (Redis down); Redis back in 10 ms',
      'Redis restarted from its AOF',
      'kill -9 signup-emails (killed by SIGKILL)',
      'signup-emails restarted and ready',
    ]);
    // The participant fault waited for its moment.
    expect(result.events.find((e) => e.what.startsWith('kill -9 signup-emails'))!.atMs).toBeGreaterThanOrEqual(200);
    expect(result.endedAt).toBeGreaterThanOrEqual(startedAt + 200);
    expect(result.endedAt).toBeLessThanOrEqual(Date.now());
  });

  it('notes what did not go as planned instead of failing: no rebalance seen, a replacement never ready', async () => {
    const { calls, targets } = fakeTargets({ rebalanceSeen: false, replacementFails: true });
    const result = await injectFaults({ seed: 1, rounds: [[ONE_ROUND.rounds[0]![0]!]] }, targets, { startedAt: Date.now(), rebalanceTimeoutMs: 10 });
    expect(calls).toEqual(['kill coordinator 0', 'start coordinator 0', 'kill redis', 'stable', 'redis ready']);
    expect(result.notes).toEqual([
      'round 1: the coordinator group was not seen rebalancing after coordinator-1 was killed (group still Stable after 10 ms); Redis was killed anyway',
      "coordinator-1's replacement never got ready: coordinator-1 was not ready within 30 ms",
    ]);
  });

  it('runs the rounds one after the other', async () => {
    const { calls, targets } = fakeTargets({ startMs: 40 });
    const schedule: FaultSchedule = {
      seed: 1,
      rounds: [[{ kind: 'participant', round: 0, atMs: 0, participant: 'a', downMs: 0 }], [{ kind: 'participant', round: 1, atMs: 0, participant: 'b', downMs: 0 }]],
    };
    await injectFaults(schedule, targets, { startedAt: Date.now(), rebalanceTimeoutMs: 10 });
    expect(calls).toEqual(['kill a', 'a ready', 'kill b', 'b ready']);
  });

  it('stops when aborted', async () => {
    const { targets } = fakeTargets();
    const controller = new AbortController();
    const schedule: FaultSchedule = { seed: 1, rounds: [[{ kind: 'participant', round: 0, atMs: 10_000, participant: 'a', downMs: 0 }]] };
    const run = injectFaults(schedule, targets, { startedAt: Date.now(), rebalanceTimeoutMs: 10, signal: controller.signal });
    controller.abort(new Error('interrupted'));
    await expect(run).rejects.toThrow('interrupted');
  });

  it('stops the broker and starts it again after its down time', async () => {
    const { calls, targets } = fakeTargets();
    const schedule: FaultSchedule = { seed: 1, rounds: [[{ kind: 'broker', round: 0, atMs: 0, downMs: 20 }]] };
    const result = await injectFaults(schedule, targets, { startedAt: Date.now(), rebalanceTimeoutMs: 100 });
    expect(calls).toEqual(['stop broker', 'broker ready']);
    expect(result.events.map((e) => e.what)).toEqual(['broker stopped', 'broker started again after 20 ms']);
  });
});
