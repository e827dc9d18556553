import { describePlannedFault, faultSchedule, type FaultScheduleOptions } from './schedule';

const BASE: FaultScheduleOptions = { seed: 7, participants: ['users', 'subscriptions', 'emails'], coordinators: 2, windowStartMs: 1_000, windowMs: 10_000 };

describe('the seeded fault schedule', () => {
  it('is the same for the same seed, and another for another seed', () => {
    expect(faultSchedule(BASE)).toEqual(faultSchedule({ ...BASE }));
    const others = [1, 2, 3, 4, 5].map((seed) => JSON.stringify(faultSchedule({ ...BASE, seed }).rounds));
    expect(new Set(others).size).toBe(5);
  });

  it('kills one participant and one coordinator per round, each at a moment of its slice of the window', () => {
    for (let seed = 0; seed < 50; seed++) {
      const schedule = faultSchedule({ ...BASE, seed, rounds: 3 });
      expect(schedule.rounds).toHaveLength(3);
      schedule.rounds.forEach((round, r) => {
        expect(round.map((f) => f.kind).sort()).toEqual(['coordinator', 'participant']);
        const sliceStart = 1_000 + (r * 10_000) / 3;
        for (const fault of round) {
          expect(fault.round).toBe(r);
          expect(fault.atMs).toBeGreaterThanOrEqual(Math.floor(sliceStart));
          expect(fault.atMs).toBeLessThanOrEqual(Math.ceil(sliceStart + 10_000 / 3));
        }
        expect(round[0]!.atMs).toBeLessThanOrEqual(round[1]!.atMs);
      });
    }
  });

  it('has only the kinds of fault asked for: broker restarts, with their down time in range, and the same moments for the others', () => {
    for (let seed = 0; seed < 20; seed++) {
      const brokerOnly = faultSchedule({ ...BASE, seed, kinds: ['broker'], brokerDownMs: [100, 300] });
      expect(brokerOnly.rounds[0]!.map((f) => f.kind)).toEqual(['broker']);
      const broker = brokerOnly.rounds[0]![0]!;
      expect(broker.kind === 'broker' && broker.downMs >= 100 && broker.downMs <= 300).toBe(true);
      // Asking for the broker too leaves the other faults where they were.
      const all = faultSchedule({ ...BASE, seed, kinds: ['participant', 'coordinator', 'broker'] });
      expect(all.rounds[0]!.filter((f) => f.kind !== 'broker')).toEqual(faultSchedule({ ...BASE, seed }).rounds[0]);
    }
    expect(() => faultSchedule({ ...BASE, kinds: [] })).toThrow(/no kinds of fault/);
    expect(describePlannedFault({ kind: 'broker', round: 0, atMs: 500, downMs: 700 })).toBe('+0.50 s stop the broker, start it again 700 ms later (same port, same data)');
  });

  it('draws targets and pauses within their ranges, and over many seeds reaches every target', () => {
    const participants = new Set<string>();
    const coordinators = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      for (const fault of faultSchedule({ ...BASE, seed, participantDownMs: [100, 200], redisDownAfterRebalanceMs: [300, 400] }).rounds.flat()) {
        if (fault.kind === 'participant') {
          participants.add(fault.participant);
          expect(fault.downMs).toBeGreaterThanOrEqual(100);
          expect(fault.downMs).toBeLessThanOrEqual(200);
        } else if (fault.kind === 'coordinator') {
          coordinators.add(fault.coordinator);
          expect(fault.redisDownAfterRebalanceMs).toBeGreaterThanOrEqual(300);
          expect(fault.redisDownAfterRebalanceMs).toBeLessThanOrEqual(400);
        }
      }
    }
    expect([...participants].sort()).toEqual(['emails', 'subscriptions', 'users']);
    expect([...coordinators].sort()).toEqual([0, 1]);
  });

  it('refuses what cannot be scheduled', () => {
    expect(() => faultSchedule({ ...BASE, seed: 1.5 })).toThrow(/seed/);
    expect(() => faultSchedule({ ...BASE, rounds: 0 })).toThrow(/rounds/);
    expect(() => faultSchedule({ ...BASE, participants: [] })).toThrow(/participants/);
    expect(() => faultSchedule({ ...BASE, coordinators: 1 })).toThrow(/coordinators must be 2 or more/);
    expect(() => faultSchedule({ ...BASE, windowMs: 0 })).toThrow(/window/);
    expect(() => faultSchedule({ ...BASE, participantDownMs: [5, 1] })).toThrow(/participantDownMs/);
  });

  it('describes each fault in a line', () => {
    expect(describePlannedFault({ kind: 'participant', round: 0, atMs: 1_234, participant: 'signup-emails', downMs: 300 })).toBe('+1.23 s kill -9 signup-emails, restart it 300 ms later');
    expect(describePlannedFault({ kind: 'coordinator', round: 0, atMs: 2_000, coordinator: 1, redisDownAfterRebalanceMs: 800 })).toBe(
      '+2.00 s kill -9 coordinator-2 and start its replacement; kill -9 Redis once the group rebalances, restart it 800 ms after the group settles',
    );
  });
});
