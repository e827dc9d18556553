import { Header } from '../events/headers';
import { buildFailureHeaders, describeError, readFailureEnvelope } from './envelope';

const origin = { topic: 'invoices.extracted', partition: 2, offset: '41', timestamp: '1700000000000' };

describe('failure envelope', () => {
  it('keeps the original headers and adds the whole story on the first failure', () => {
    const h = buildFailureHeaders({
      incoming: { [Header.eventId]: 'e1', traceparent: '00-t-s-01' },
      agent: 'validation',
      attempt: 1,
      kind: 'transient',
      error: describeError(new Error('erp down')),
      consumedFrom: origin,
      now: 1000,
      dueAt: 2000,
    });
    expect(h).toMatchObject({
      [Header.eventId]: 'e1',
      traceparent: '00-t-s-01',
      [Header.agent]: 'validation',
      [Header.attempt]: '1',
      [Header.dueAt]: '2000',
      [Header.originalTopic]: 'invoices.extracted',
      [Header.originalPartition]: '2',
      [Header.originalOffset]: '41',
      [Header.firstFailedAt]: '1000',
      [Header.errorKind]: 'transient',
      [Header.errorClass]: 'Error',
      [Header.errorMessage]: 'erp down',
    });
    expect(h[Header.errorStack]).toContain('erp down');
    expect(JSON.parse(h[Header.failureHistory]!)).toHaveLength(1);
  });

  it('keeps the first origin and first-failure time, and grows the history, through retry hops', () => {
    const first = buildFailureHeaders({ incoming: {}, agent: 'a', attempt: 1, kind: 'timeout', error: describeError(new Error('slow')), consumedFrom: origin, now: 1000, dueAt: 1500 });
    const retryTopic = { topic: 'a.retry.0', partition: 0, offset: '7', timestamp: '1' };
    const second = buildFailureHeaders({ incoming: first, agent: 'a', attempt: 2, kind: 'permanent', error: describeError(new Error('bad')), consumedFrom: retryTopic, now: 3000 });
    const env = readFailureEnvelope(second)!;
    expect(env.origin).toEqual(origin);
    expect(env.firstFailedAt).toBe(1000);
    expect(env.history.map((r) => [r.attempt, r.kind, r.message])).toEqual([
      [1, 'timeout', 'slow'],
      [2, 'permanent', 'bad'],
    ]);
    expect(second[Header.dueAt]).toBeUndefined();
  });

  it('survives a mangled history header', () => {
    const env = readFailureEnvelope({ [Header.agent]: 'a', [Header.attempt]: '2', [Header.failureHistory]: '{not json' });
    expect(env?.history).toEqual([]);
  });
});
