import { ALERT_RULES } from '@agentmesh/runtime/internal';
import { AlertTracker, evaluateConditions } from './alerts';
import { fleetHeartbeat, type FleetHeartbeat } from './heartbeat';
import { detectAnomalies } from './anomalies';
import { ANOMALY_WINDOW_MS, buildFleet, metricWindows, type FleetInput } from './model';

const NOW = 1_000_000;

/** An instance's heartbeats every 5 s over the last `seconds`, its counters growing by `perBeat` each time. */
function beats(agent: string, instanceId: string, seconds: number, perBeat: Record<string, number>, over: Record<string, unknown> = {}, until = NOW): FleetHeartbeat[] {
  const out: FleetHeartbeat[] = [];
  for (let i = 0, at = until - seconds * 1000; at <= until; i++, at += 5_000) {
    const counters = Object.fromEntries(Object.entries(perBeat).map(([k, v]) => [k, v * i]));
    out.push(fleetHeartbeat({ agent, instanceId, host: 'h', pid: 1, status: 'READY', sentAt: at, topics: [`${agent}.in`], counters, latencyP99Ms: 40, latencyP50Ms: 5, ...over })!);
  }
  return out;
}

function input(over: Partial<FleetInput>): FleetInput {
  return { now: NOW, windowMs: 300_000, heartbeats: [], offsets: new Map(), dlqSizes: new Map(), stuckSagas: [], ...over };
}

describe('buildFleet', () => {
  it('knows each agent with its instances, rates from counter deltas, and lag from committed offsets in records and seconds', () => {
    const fleet = buildFleet(
      input({
        heartbeats: [
          ...beats('billing', 'b-1', 60, { processed: 50 }),
          ...beats('billing', 'b-2', 60, { processed: 50, retried: 5 }),
          ...beats('billing', 'b-3', 60, { processed: 1 }, {}, NOW - 90_000),
        ],
        offsets: new Map([
          [
            'billing',
            [
              { topic: 'billing.in', partition: 0, committed: 10, high: 30, low: 0, oldestUnconsumedAt: NOW - 42_000 },
              { topic: 'billing.in', partition: 1, committed: null, high: 5, low: 0, oldestUnconsumedAt: NOW - 7_000 },
              { topic: 'other.in', partition: 0, committed: 0, high: 99, low: 0, oldestUnconsumedAt: null },
            ],
          ],
        ]),
        dlqSizes: new Map([['billing', 12]]),
      }),
    );
    const [billing] = fleet.agents;
    expect(billing).toMatchObject({ name: 'billing', alive: 2, dlqSize: 12, lag: { records: 25, seconds: 42 } });
    expect(billing!.instances.map((i) => [i.instanceId, i.liveness, i.crashed])).toEqual([
      ['b-1', 'alive', false],
      ['b-2', 'alive', false],
      ['b-3', 'gone', true],
    ]);
    // Two instances at 10 processed a second each, the third's growth in its own span added.
    expect(billing!.rates.processed).toBeCloseTo(20.2, 1);
    expect(billing!.rates.retried).toBeCloseTo(1);
    expect(billing!.errorRate).toBeCloseTo(60 / (600 * 2 + 60 + 12), 3);
  });

  it('trends an agent whose heartbeats say DEGRADED to unhealthy, and one that crashed degrades', () => {
    const fleet = buildFleet(input({ heartbeats: [...beats('ocr', 'o-1', 120, { processed: 10 }, { status: 'DEGRADED' }), ...beats('erp', 'e-1', 240, { processed: 10 }, {}, NOW - 30_000)] }));
    const byName = new Map(fleet.agents.map((a) => [a.name, a]));
    expect(byName.get('ocr')!.health.trend).toBe('unhealthy');
    expect(byName.get('erp')!.health.trend).toBe('degrading');
  });

  it('fires the alerts of ALERT_RULES over the model: DLQ size, open breakers, crashed consumer, stuck sagas, lag seconds after its `for`', () => {
    const make = (now: number) =>
      buildFleet(
        input({
          now,
          heartbeats: [
            ...beats('billing', 'b-1', 60, { processed: 10 }, { breakers: { erp: 'open', ledger: 'open' } }, now),
            ...beats('quiet', 'q-1', 60, { processed: 10 }, {}, now - 40_000),
            ...beats('steady', 's-1', 60, { processed: 10 }, {}, now),
          ],
          offsets: new Map([['billing', [{ topic: 'billing.in', partition: 0, committed: 0, high: 3, low: 0, oldestUnconsumedAt: NOW - 600_000 }]]]),
          dlqSizes: new Map([
            ['billing', 101],
            ['steady', 100],
          ]),
          stuckSagas: [{ sagaType: 'signup', at: now - 1_000 }],
        }),
      );
    const conditions = evaluateConditions(make(NOW), ALERT_RULES);
    expect(conditions.map((c) => `${c.alert} ${c.subject}`).sort()).toEqual([
      'MeshAgentBreakersOpen billing',
      'MeshAgentDeadLettersGrowing billing',
      'MeshAgentLagHigh billing',
      'MeshConsumerCrashed quiet',
      'MeshSagasStuck signup',
    ]);
    expect(conditions.find((c) => c.alert === 'MeshAgentDeadLettersGrowing')).toMatchObject({ value: 101, threshold: 100, summary: 'Agent billing: over 100 dead letters in the last hour' });

    const tracker = new AlertTracker(ALERT_RULES);
    const first = tracker.update(conditions, NOW);
    // Rules with `for: 0m` fire at once; the lag and breaker alerts wait for theirs.
    expect(first.map((t) => `${t.state} ${t.alert.alert}`).sort()).toEqual(['FIRING MeshAgentDeadLettersGrowing', 'FIRING MeshConsumerCrashed', 'FIRING MeshSagasStuck']);
    expect(
      tracker
        .alerts()
        .filter((a) => a.state === 'pending')
        .map((a) => a.alert),
    ).toEqual(['MeshAgentBreakersOpen', 'MeshAgentLagHigh']);
    const later = tracker.update(evaluateConditions(make(NOW + 120_000), ALERT_RULES), NOW + 120_000);
    expect(later.map((t) => `${t.state} ${t.alert.alert}`).sort()).toEqual(['FIRING MeshAgentBreakersOpen', 'FIRING MeshAgentLagHigh']);
    const resolved = tracker.update([], NOW + 130_000);
    expect(resolved).toHaveLength(5);
    expect(resolved.every((t) => t.state === 'RESOLVED')).toBe(true);
    expect(tracker.alerts()).toEqual([]);
  });

  it('flags p99 over twice its usual, and an agent whose history holds a latency spike shows it as an anomaly', () => {
    // The spike now (the p99 alert), and 45 s ago (in a slice that is complete, which anomaly detection judges).
    const history = beats('ocr', 'o-1', 295, { processed: 10 }).map((b, i) => ({ ...b, latencyP99Ms: i === 59 || i === 50 ? 400 : 40 + (i % 3) }));
    const fleet = buildFleet(input({ heartbeats: history }));
    const ocr = fleet.agents[0]!;
    expect(ocr.p99Ms).toBe(400);
    expect(evaluateConditions(fleet, ALERT_RULES).map((c) => c.alert)).toEqual(['MeshAgentLatencyHigh']);
    expect(ocr.anomalies.map((a) => a.metric)).toEqual(['p99Ms']);
  });

  it('slices the history on the clock, and judges only slices wholly inside the window: the same slices from one refresh to the next', () => {
    const history = beats('ocr', 'o-1', 295, { processed: 10 });
    const at = (now: number) => metricWindows([history], now - 300_000, now).map((w) => w.at);
    expect(at(NOW).every((t) => t % ANOMALY_WINDOW_MS === 0 && t >= NOW - 300_000 && t + ANOMALY_WINDOW_MS <= NOW)).toBe(true);
    // Five seconds later the same complete slices: an answer worked out once serves both refreshes.
    expect(at(NOW + 5_000)).toEqual(at(NOW));
    const windows = metricWindows([history], NOW - 300_000, NOW);
    expect(detectAnomalies(windows)).toBe(detectAnomalies(metricWindows([history], NOW - 295_000, NOW + 5_000)));
  });
});
