import { ALERT_RULES, type MeshAlert } from '@agentmesh/runtime/internal';
import { alreadyAnnounced, firingAlerts, latestByAlert, meshAlertOf } from './alert-ledger';
import { AlertTracker } from './alerts';

const record = (over: Partial<MeshAlert>): MeshAlert => ({
  alert: 'MeshConsumerCrashed',
  state: 'FIRING',
  severity: 'critical',
  subject: 'ocr',
  summary: 'Agent ocr: a consumer crashed',
  value: 1,
  threshold: 0,
  at: 1_000,
  since: 1_000,
  evaluator: 'h-1',
  ...over,
});

describe('the alert ledger (mesh.alerts read back)', () => {
  it('reads JSON and Avro-decoded records, and refuses what is not an alert', () => {
    expect(meshAlertOf({ ...record({}), value: { double: 2 }, evaluator: { string: 'h-2' } })).toMatchObject({ value: 2, evaluator: 'h-2' });
    expect(meshAlertOf({ ...record({}), state: 'PENDING' })).toBeUndefined();
    expect(meshAlertOf('FIRING')).toBeUndefined();
  });

  it('keeps the newest record of each alert and subject', () => {
    const latest = latestByAlert([record({ at: 1 }), record({ state: 'RESOLVED', at: 5 }), record({ subject: 'billing', at: 2 })]);
    expect([...latest.values()].map((r) => `${r.subject} ${r.state}`)).toEqual(['ocr RESOLVED', 'billing FIRING']);
  });

  it('hands a restarted tracker what fires, since when: it fires on without a transition, and resolves when its condition is gone', () => {
    const latest = latestByAlert([record({ since: 500 }), record({ subject: 'gone', state: 'RESOLVED' }), record({ alert: 'NoSuchRule' })]);
    const firing = firingAlerts(latest, ALERT_RULES);
    expect(firing).toEqual([expect.objectContaining({ alert: 'MeshConsumerCrashed', subject: 'ocr', state: 'firing', since: 500 })]);
    const tracker = new AlertTracker(ALERT_RULES);
    tracker.restore(firing);
    const condition = { alert: 'MeshConsumerCrashed', severity: 'critical' as const, subject: 'ocr', summary: 's', value: 1, threshold: 0 };
    expect(tracker.update([condition], 2_000)).toEqual([]);
    expect(tracker.alerts()).toEqual([expect.objectContaining({ state: 'firing', since: 500 })]);
    const resolved = tracker.update([], 3_000);
    expect(resolved.map((t) => t.state)).toEqual(['RESOLVED']);
    expect(alreadyAnnounced(latest, resolved[0]!)).toBe(false);
    expect(alreadyAnnounced(latestByAlert([record({ state: 'RESOLVED', at: 3_000 })], new Map(latest)), resolved[0]!)).toBe(true);
  });
});
