import { describeProblem, runSagaFaults } from '@agentmesh/examples';

/**
 * The signup saga under faults, small: two `mesh coordinator` processes and
 * the three participants as `mesh run` processes (built code:
 * packages/examples/dist and packages/cli/dist), a private redis-server with
 * an AOF for the saga state, 40 signups, and kill -9 of a participant, a
 * coordinator, and Redis while the coordinator group rebalances, at moments
 * drawn from the seed. SAGA_FAULTS_SEED replays another seed;
 * `npm run chaos:sagas` runs many, larger.
 */
const SEED = Number(process.env.SAGA_FAULTS_SEED ?? 1);
// Embedded broker only, whatever KAFKA_BROKERS says: the harness starts its own with a data directory, to restart it.

describe('the signup saga under faults', () => {
  it('ends every saga, each with its effects exactly once or undone, soon after the faults end', async () => {
    let printed = '';
    const verdict = await runSagaFaults({
      seed: SEED,
      signups: 40,
      ratePerSecond: 8,
      print: (text) => {
        printed += text;
      },
    });
    // A failing run has printed its faults, problems, timelines and every process's log tail.
    if (!verdict.ok) process.stderr.write(printed);
    // Every guarantee of the verdict: terminal, effects once or undone, no compensation twice, each saga within the recovery bound.
    expect(verdict.problems.map(describeProblem)).toEqual([]);
    const { sagas, completed, compensated, stuck, notTerminal, missing } = verdict.counts;
    expect({ sagas, terminal: completed + compensated, stuck, notTerminal, missing }).toEqual({ sagas: 40, terminal: 40, stuck: 0, notTerminal: 0, missing: 0 });
    // The faults were carried out as planned: the three kills, Redis's during the coordinator group's rebalance.
    const happened = verdict.events.map((e) => e.what).join('\n');
    expect(happened).toMatch(/^kill -9 coordinator-\d .*\n(?:.*\n)*coordinator group (PreparingRebalance|CompletingRebalance): kill -9 Redis$/m);
    expect(happened).toMatch(/^kill -9 signup-(users|subscriptions|emails) \(killed by SIGKILL\)$/m);
  }, 100_000);
});
