import { fleetHeartbeat, type FleetView } from '../../fleet';
import { buildFleet } from '../../fleet/model';
import { renderAgent } from '../agents/render';
import { cut, ms, rate, renderStatus, seconds, statusJson } from './render';

const NOW = 10_000_000;

function view(): FleetView {
  const beats = [0, 5_000, 10_000].map((d) =>
    fleetHeartbeat({
      agent: 'an-agent-with-a-rather-long-name-indeed',
      instanceId: 'i-1',
      host: 'h',
      pid: 4,
      status: 'READY',
      sentAt: NOW - 10_000 + d,
      topics: ['in'],
      partitions: [{ topic: 'in', partition: 0, lag: 1_200 }],
      counters: { processed: d / 10 },
      latencyP99Ms: 12.5,
    })!,
  );
  const fleet = buildFleet({
    now: NOW,
    windowMs: 300_000,
    heartbeats: beats,
    offsets: new Map([['an-agent-with-a-rather-long-name-indeed', [{ topic: 'in', partition: 0, committed: 5, high: 1_205, low: 0, oldestUnconsumedAt: NOW - 3_725_000 }]]]),
    dlqSizes: new Map([['an-agent-with-a-rather-long-name-indeed', 140]]),
    stuckSagas: [],
  });
  const alert = {
    alert: 'MeshAgentDeadLettersGrowing',
    severity: 'warning' as const,
    subject: 'an-agent-with-a-rather-long-name-indeed',
    summary: 'Agent x: over 100 dead letters',
    value: 140,
    threshold: 100,
    state: 'firing' as const,
    since: NOW,
  };
  return { fleet, alerts: [alert], transitions: [], notes: { undecodable: 0 } };
}

describe('mesh status rendering', () => {
  it('formats figures short', () => {
    expect([rate(0), rate(2.345), rate(12.34), rate(1234.5)]).toEqual(['0', '2.35', '12.3', '1235']);
    expect([seconds(null), seconds(42.4), seconds(125), seconds(3_725)]).toEqual(['?', '42s', '2m05s', '1h02m']);
    expect([ms(null), ms(12.5), ms(250.4)]).toEqual(['-', '12.5', '250']);
    expect(cut('abcdef', 4)).toBe('abc~');
  });

  it('renders one row per agent within 120 columns, then the alerts', () => {
    const text = renderStatus(view(), '5m');
    const [header, row] = text.split('\n');
    expect(header!.length).toBeLessThanOrEqual(120);
    expect(row!.split(/\s{2,}/)).toEqual(['an-agent-with-a-rathe~', '1/1', '1200', '1h02m', '100', '0', '0', '12.5', '0', '140', 'healthy', 'DeadLettersGrowing']);
    expect(text).toContain('FIRING   warning   MeshAgentDeadLettersGrowing  Agent x: over 100 dead letters (140 > 100)');
  });

  it('prints the whole model as JSON', () => {
    expect(statusJson(view(), ['b:9092'])).toMatchObject({ brokers: ['b:9092'], agents: [{ lag: { records: 1200, seconds: 3725 } }], alerts: [{ state: 'firing' }] });
  });

  it('shows an agent with its instances, partitions, anomalies and alerts', () => {
    const v = view();
    const text = renderAgent(v.fleet.agents[0]!, v.alerts, NOW);
    expect(text).toMatch(/^INSTANCE\s+HOST\s+PID\s+STATUS/m);
    expect(text).toMatch(/^i-1\s+h\s+4\s+READY\s+alive/m);
    expect(text).toMatch(/^in\s+0\s+1200\s+1h02m\s+i-1$/m);
    expect(text).toContain('RECENT ANOMALIES\n(none)');
    expect(text).toContain('FIRING  warning  MeshAgentDeadLettersGrowing');
  });
});
