import { buildFleet, fleetHeartbeat, NoMeshError, type ActiveAlert, type Fleet, type FleetHeartbeat, type FleetView } from '../fleet';
import { initialConnection, nextConnection } from './connection';
import { FleetHistory } from './history';
import { agentPage, agentStatus, alertsPage, fleetPage } from './views';

const NOW = 1_000_000;

function beats(agent: string, instanceId: string, perBeat: Record<string, number>, over: Record<string, unknown> = {}): FleetHeartbeat[] {
  const out: FleetHeartbeat[] = [];
  for (let i = 0, at = NOW - 60_000; at <= NOW; i++, at += 5_000) {
    const counters = Object.fromEntries(Object.entries(perBeat).map(([k, v]) => [k, v * i]));
    out.push(fleetHeartbeat({ agent, instanceId, host: 'h', pid: 1, status: 'READY', sentAt: at, topics: [`${agent}.in`], counters, latencyP99Ms: 40, ...over })!);
  }
  return out;
}

function fleetAt(now: number, dlq = 0): Fleet {
  return buildFleet({
    now,
    windowMs: 300_000,
    heartbeats: [...beats('billing', 'b-1', { processed: 50 }), ...beats('ocr', 'o-1', { processed: 10, deadLettered: 10 }, { gpu: 1 })],
    offsets: new Map([['billing', [{ topic: 'billing.in', partition: 0, committed: 10, high: 30, low: 0, oldestUnconsumedAt: now - 4_000 }]]]),
    dlqSizes: new Map([['ocr', dlq]]),
    stuckSagas: [],
  });
}

const firing = (subject: string): ActiveAlert => ({ alert: 'MeshAgentDown', severity: 'critical', subject, summary: 'down', value: 0, threshold: 1, state: 'firing', since: NOW - 1 });

function view(fleet: Fleet, alerts: ActiveAlert[] = []): FleetView {
  return { fleet, alerts, transitions: [], notes: { undecodable: 2 } };
}

describe('fleetPage', () => {
  it('shapes one row per agent with its figures and a status colour', () => {
    const page = fleetPage(view(fleetAt(NOW, 4), [firing('ocr')]), initialConnection(NOW));
    const rows = new Map(page.agents.map((a) => [a.name, a]));
    expect(rows.get('billing')).toMatchObject({ alive: 1, instances: 1, lagRecords: 20, lagSeconds: 4, dlqSize: 0, firing: 0, newerContract: 0, status: 'ok' });
    expect(rows.get('billing')!.processedPerSecond).toBeCloseTo(10);
    expect(rows.get('ocr')).toMatchObject({ dlqSize: 4, firing: 1, newerContract: 1, status: 'bad' });
    expect(page).toMatchObject({ at: NOW, alerts: { firing: 1, pending: 0 }, undecodableHeartbeats: 2 });
  });

  it('before the first read: no rows, the connection says why', () => {
    const page = fleetPage(undefined, initialConnection(NOW));
    expect(page).toMatchObject({ at: null, agents: [], connection: { state: 'connecting' } });
  });

  it('warns on dead letters alone', () => {
    const ocr = fleetAt(NOW, 3).agents.find((a) => a.name === 'ocr')!;
    expect(agentStatus({ ...ocr, errorRate: 0, health: { ...ocr.health, trend: 'healthy' }, anomalies: [] }, 0)).toBe('warn');
  });
});

describe('agentPage and the history', () => {
  it('keeps one point per refresh, at most `capacity`, as chart columns in seconds', () => {
    const history = new FleetHistory(2);
    history.add(fleetAt(NOW));
    history.add(fleetAt(NOW));
    history.add(fleetAt(NOW + 3_000));
    history.add(fleetAt(NOW + 6_000));
    const series = history.series('billing');
    expect(series.at).toEqual([1003, 1006]);
    expect(series.lagRecords).toEqual([20, 20]);
    expect(history.series('nobody').at).toEqual([]);
  });

  it('is undefined for an agent the fleet does not know; alerts about it come along', () => {
    const v = view(fleetAt(NOW), [firing('billing'), firing('ocr')]);
    expect(agentPage(v, 'nobody', new FleetHistory(1).series('nobody'), initialConnection(NOW))).toBeUndefined();
    const page = agentPage(v, 'billing', new FleetHistory(1).series('billing'), initialConnection(NOW))!;
    expect(page.alerts.map((a) => a.subject)).toEqual(['billing']);
    expect(page.row.status).toBe('bad');
  });

  it('lists firing alerts first and transitions newest first', () => {
    const pending: ActiveAlert = { ...firing('a'), state: 'pending', since: NOW - 10 };
    const page = alertsPage(
      view(fleetAt(NOW), [pending, firing('b')]),
      [
        { state: 'FIRING', alert: firing('b'), at: 1 },
        { state: 'RESOLVED', alert: firing('b'), at: 2 },
      ],
      initialConnection(NOW),
    );
    expect(page.active.map((a) => a.state)).toEqual(['firing', 'pending']);
    expect(page.transitions.map((t) => t.at)).toEqual([2, 1]);
  });
});

describe('nextConnection', () => {
  const where = { brokers: ['127.0.0.1:9092'], window: '5m' };

  it('says in one line that the cluster has no mesh', () => {
    const empty = nextConnection(initialConnection(0), { agents: 0 }, 10, where);
    expect(empty).toEqual({ state: 'no-mesh', message: 'no mesh on 127.0.0.1:9092: no agent has sent a heartbeat to mesh.heartbeats in the last 5m', since: 10, lastOkAt: 10 });
    const noTopic = nextConnection(initialConnection(0), { error: new NoMeshError('the topic mesh.heartbeats does not exist') }, 10, where);
    expect(noTopic.message).toBe('no mesh on 127.0.0.1:9092: the topic mesh.heartbeats does not exist');
  });

  it('keeps the time of the last good read while the broker is away, and since when it is away', () => {
    const ok = nextConnection(initialConnection(0), { agents: 3 }, 10, where);
    expect(ok).toEqual({ state: 'ok', message: null, since: 10, lastOkAt: 10 });
    const away = nextConnection(ok, { error: new Error('Connection error: ECONNREFUSED\nmore') }, 20, where);
    const still = nextConnection(away, { error: new Error('again') }, 30, where);
    expect(away).toEqual({ state: 'unreachable', message: 'cannot read the mesh on 127.0.0.1:9092: Connection error: ECONNREFUSED; reconnecting', since: 20, lastOkAt: 10 });
    expect(still).toMatchObject({ since: 20, lastOkAt: 10 });
    expect(nextConnection(still, { agents: 1 }, 40, where)).toEqual({ state: 'ok', message: null, since: 40, lastOkAt: 40 });
  });
});
