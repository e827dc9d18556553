import { deriveEventId, Header } from '@agentmesh/runtime';
import { failureHeaders, rootHeaders, row, SAGA_ID, sagaRows, TRACE_ID } from '../../test/support/journeys';
import { journeyIdOf, placeOf, replySummaryOf, traceRowOf } from './trace-row';

describe('traceRowOf', () => {
  it('keeps ids, the trace id and the failure story of a retry record', () => {
    const r = row('intake.retry.0', 1, 7, 5_000, failureHeaders(rootHeaders, 'intake', 2, 'transient', 'x'.repeat(1_000), 5_000, 6_000));
    expect(r).toMatchObject({
      topic: 'intake.retry.0',
      partition: 1,
      offset: '7',
      timestamp: 5_000,
      eventId: rootHeaders[Header.eventId],
      traceId: TRACE_ID,
      agent: 'intake',
      attempt: 2,
      dueAt: 6_000,
      errorKind: 'transient',
      errorClass: 'Error',
    });
    expect(r.errorMessage).toHaveLength(300);
    expect(r.eventIdDerived).toBeUndefined();
  });

  it("gives a record without a mesh-event-id the worker's derived id", () => {
    const r = traceRowOf({ topic: 'orders', partition: 2, offset: '41', timestamp: 1, key: null, headers: {} });
    expect(r).toMatchObject({ eventId: deriveEventId('kafka:orders:2:41', 'source', 0), eventIdDerived: true, correlationId: null, traceId: null });
    expect(journeyIdOf(r)).toBe(r.eventId);
  });

  it('reads the saga envelope; a saga record naming no journey has none of its own', () => {
    const [, command, , stuck] = sagaRows();
    expect(command!.saga).toEqual({ id: SAGA_ID, type: 'account-signup', step: 'create-user', kind: 'execute', attempt: 1, deadlineAt: 30_000, coordinator: 'mesh-coordinator' });
    expect(journeyIdOf(command!)).toBe('trigger-1');
    expect(journeyIdOf(stuck!)).toBeUndefined();
    expect(placeOf(stuck!)).toBe('saga.stuck/0@0');
  });

  it('ignores headers that are not numbers where numbers belong', () => {
    const r = row('t', 0, 0, 1, { [Header.eventId]: 'e', [Header.attempt]: 'lots', [Header.dueAt]: '' });
    expect(r.attempt).toBeUndefined();
    expect(r.dueAt).toBeUndefined();
  });
});

describe('replySummaryOf', () => {
  it("reads a saga reply's answer and nothing that is not one", () => {
    expect(replySummaryOf({ sagaId: 's', outcome: 'SUCCEEDED', errorKind: null, error: null })).toEqual({ outcome: 'SUCCEEDED' });
    expect(replySummaryOf({ outcome: 'FAILED', errorKind: 'PERMANENT', error: 'card declined' })).toEqual({ outcome: 'FAILED', errorKind: 'PERMANENT', error: 'card declined' });
    expect([null, 'FAILED', { outcome: 'MAYBE' }].map(replySummaryOf)).toEqual([undefined, undefined, undefined]);
  });
});
