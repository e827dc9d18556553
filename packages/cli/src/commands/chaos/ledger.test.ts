import { buildLedger, type SeenRecord } from './ledger';

const out = (cause: string, id: string, extra: Record<string, string> = {}): SeenRecord => ({ topic: 'out', timestamp: 0, headers: { 'mesh-causation-id': cause, 'mesh-event-id': id, ...extra } });
const dlq = (id: string, kind: string): SeenRecord => ({ topic: 'billing.dlq', timestamp: 0, headers: { 'mesh-event-id': id, 'mesh-error-kind': kind } });

describe('buildLedger', () => {
  const published = new Set(['a', 'b', 'c', 'd', 'e']);

  it('puts each published event under one fate, and what is left is lost', () => {
    const ledger = buildLedger('billing', published, [out('a', 'a1'), out('b', 'b1', { 'mesh-degraded': 'true' }), dlq('c', 'invalid-input'), out('zzz', 'z1')]);
    expect(ledger).toEqual({ published: 5, processed: 1, degraded: 1, deadLettered: 1, invalidInput: 1, lost: 2, duplicateEffects: 0 });
  });

  it('counts a second copy of an output id as a duplicate effect, not a second event', () => {
    expect(buildLedger('billing', published, [out('a', 'a1'), out('a', 'a1'), out('a', 'a2')])).toMatchObject({ processed: 1, duplicateEffects: 1 });
  });

  it("ignores the agent's retry records, and another agent's dead letters", () => {
    const retry: SeenRecord = { topic: 'billing.retry.0', timestamp: 0, headers: { 'mesh-causation-id': 'a', 'mesh-event-id': 'a' } };
    const otherDlq: SeenRecord = { ...dlq('b', 'permanent'), topic: 'ocr.dlq' };
    expect(buildLedger('billing', published, [retry, otherDlq])).toMatchObject({ processed: 0, deadLettered: 0, lost: 5 });
  });

  it('an event dead-lettered after an output counts as dead-lettered only', () => {
    expect(buildLedger('billing', new Set(['a']), [out('a', 'a1'), dlq('a', 'permanent')])).toMatchObject({ processed: 0, deadLettered: 1, lost: 0 });
  });
});
