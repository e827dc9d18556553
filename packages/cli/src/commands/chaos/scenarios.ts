import type { ControlRecord } from '@agentmesh/runtime/internal';

/** How a scenario's fault is brought about. */
export type FaultReality =
  /** The process really does it (it stops consuming, it kills itself with SIGKILL). */
  | 'real'
  /** The agent's process acts as if the part were away (its calls fail the way the outage makes them fail); the shared part is not touched. */
  | 'simulated in the agent'
  /** Real, in a harness module (--harness) that starts the processes it kills itself, not against a running mesh. */
  | 'real, in a harness'
  /** Needs the processes it kills started by a harness, and none exists yet; not reachable against a running mesh. */
  | 'harness only';

export interface Scenario {
  name: string;
  summary: string;
  reality: FaultReality;
  /** The fault the agents are sent, if the scenario sends one. */
  fault?: ControlRecord['fault'];
  /** Where a DELAY or FAIL applies. */
  target?: string;
  /** How long the fault lasts unless --duration says otherwise. */
  defaultDurationMs: number;
  /** How many times --count events are published. */
  loadFactor: number;
  /** Records that cannot be decoded, published beside the valid ones (one in five, at least one). */
  corrupt: boolean;
  /** Redelivery after a kill may send an output twice (deduplicated downstream by its event id): reported, not failed. */
  duplicatesExpected: boolean;
  /** How to run it: the harness module, or where it is checked instead. */
  harness?: string;
}

const base = { defaultDurationMs: 30_000, loadFactor: 1, corrupt: false, duplicatesExpected: false } as const;

/** The scenarios of `mesh chaos`, in the order `mesh chaos ls` lists them. */
export const SCENARIOS: readonly Scenario[] = [
  {
    ...base,
    name: 'dependency-delay',
    summary: "every call through the agent's breakers waits --delay (default 30 s): its breaker opens and events wait; none may be dead-lettered or lost",
    reality: 'real',
    fault: 'DELAY',
    target: '*',
    defaultDurationMs: 60_000,
  },
  {
    ...base,
    name: 'stopped-agent',
    summary: 'the agent stops consuming for --duration (default 5 m) while events arrive; on resuming it handles them all, nothing lost',
    reality: 'real',
    fault: 'STOP',
    defaultDurationMs: 300_000,
  },
  { ...base, name: 'load', summary: '10x --count events at once: lag grows, non-critical agents may degrade; nothing crashes, nothing is lost', reality: 'real', loadFactor: 10 },
  {
    ...base,
    name: 'corrupted-data',
    summary: 'undecodable records among valid ones: each goes to the DLQ as invalid-input while the agent goes on with the rest',
    reality: 'real',
    corrupt: true,
  },
  {
    ...base,
    name: 'kill-replica',
    summary: 'one random process of the agent kills itself with SIGKILL mid-stream; its supervisor (mesh run --replicas N) restarts it; nothing lost',
    reality: 'real',
    fault: 'CRASH',
    defaultDurationMs: 0,
    duplicatesExpected: true,
  },
  {
    ...base,
    name: 'redis-outage',
    summary: "the agent's idempotency store is unreachable for --duration: consumption pauses and resumes; nothing lost or dead-lettered",
    reality: 'simulated in the agent',
    fault: 'REDIS_OUTAGE',
  },
  {
    ...base,
    name: 'registry-outage',
    summary: 'the schema registry is unreachable for the agent for --duration: events wait for it; nothing lost or dead-lettered',
    reality: 'simulated in the agent',
    fault: 'REGISTRY_OUTAGE',
  },
  {
    ...base,
    name: 'broker-restart',
    summary: 'the broker is stopped and started again (same port, same data) while sagas run: every process reconnects; nothing lost, no effect twice',
    reality: 'real, in a harness',
    defaultDurationMs: 0,
    harness:
      'mesh chaos broker-restart --harness packages/examples/dist/signup/faults/harness.js [--count N] [--seed S] (a running mesh cannot stop its broker; kill -9 of a broker with a data dir is checked by test/broker/persistence.test.ts)',
  },
  {
    ...base,
    name: 'sagas',
    summary: 'two coordinators and the signup participants as processes; kill -9 of a coordinator and a participant, a Redis outage; a judged effects ledger',
    reality: 'real, in a harness',
    defaultDurationMs: 0,
    harness: 'mesh chaos sagas --harness packages/examples/dist/signup/faults/harness.js [--count N] [--seed S]; many seeds: npm run chaos:sagas',
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
