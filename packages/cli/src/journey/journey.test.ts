import { Header } from '@agentmesh/runtime';
import { pipelineRows, ROOT_ID, row, rootHeaders, SAGA_ID, sagaRows, TRACE_ID } from '../../test/support/journeys';
import { buildJourney, producingAgent, type Hop } from './journey';

const byTopic = (hops: Hop[], topic: string) => hops.find((h) => h.topic === topic)!;

describe('buildJourney', () => {
  const journey = buildJourney(pipelineRows(), ['intake', 'audit', 'checker', 'enricher', 'someone-else']);

  it('puts each record under the one that caused it, a retry under the delivery that failed and an output under the retry that succeeded', () => {
    expect(journey.hops.map((h) => [h.topic, h.depth])).toEqual([
      ['orders', 0],
      ['intake.retry.0', 1],
      ['orders.accepted', 2],
      ['checker.dlq', 3],
      ['orders.enriched', 3],
      ['orders.audited', 1],
    ]);
    expect(byTopic(journey.hops, 'orders.accepted').parent).toBe('intake.retry.0/0@0');
    expect(byTopic(journey.hops, 'orders.audited').parent).toBe('orders/0@0');
  });

  it('says what each record means and who wrote it', () => {
    const h = journey.hops;
    expect(byTopic(h, 'orders')).toMatchObject({ agent: null, causationId: null, outcome: { kind: 'ok' } });
    expect(byTopic(h, 'intake.retry.0')).toMatchObject({
      agent: 'intake',
      attempt: 1,
      outcome: { kind: 'retry', tier: 0, delayMs: 100, dueAt: 1_110, error: { kind: 'transient', errorClass: 'Error', message: 'erp timed out' } },
    });
    expect(byTopic(h, 'orders.accepted')).toMatchObject({ agent: 'intake', outcome: { kind: 'ok' } });
    expect(byTopic(h, 'orders.audited')).toMatchObject({ agent: 'audit' });
    expect(byTopic(h, 'checker.dlq')).toMatchObject({
      agent: 'checker',
      attempt: 1,
      outcome: { kind: 'dead-lettered', attempts: 1, error: { kind: 'permanent', errorClass: 'PermanentError', message: 'no customer' } },
    });
    expect(byTopic(h, 'orders.enriched')).toMatchObject({ agent: 'enricher', outcome: { kind: 'degraded', reason: 'permanent: crm down' } });
  });

  it('times each record from the journey start until the last record it caused', () => {
    const h = journey.hops;
    expect(journey).toMatchObject({ ids: [ROOT_ID], traceIds: [TRACE_ID], startedAt: 1_000, durationMs: 140 });
    expect(byTopic(h, 'orders')).toMatchObject({ startMs: 0, durationMs: 15 });
    expect(byTopic(h, 'intake.retry.0')).toMatchObject({ startMs: 10, durationMs: 110 });
    expect(byTopic(h, 'orders.accepted')).toMatchObject({ startMs: 120, durationMs: 20 });
    expect(byTopic(h, 'checker.dlq')).toMatchObject({ durationMs: 0 });
    expect(journey.counts).toEqual({ records: 6, retries: 1, deadLetters: 1, degraded: 1, sagaCommands: 0, sagaReplies: 0 });
  });

  it('finds agents named only by failure headers when no candidates are given, and leaves unknown writers null', () => {
    const bare = buildJourney(pipelineRows());
    expect(byTopic(bare.hops, 'orders.accepted').agent).toBe('intake');
    expect(byTopic(bare.hops, 'orders.audited').agent).toBeNull();
  });

  it('keeps one row per record and does not depend on the order rows arrive in', () => {
    const rows = pipelineRows();
    const shuffled = buildJourney([...rows].reverse().concat(rows), ['intake', 'audit', 'checker', 'enricher']);
    expect(shuffled.hops).toEqual(journey.hops);
  });

  it('shows a saga: the command under its trigger, the reply under its command, the stuck notice after the saga', () => {
    const saga = buildJourney(sagaRows(), ['users']);
    expect(saga.hops.map((h) => [h.topic, h.depth, h.agent])).toEqual([
      ['accounts.signups', 0, null],
      ['users.create', 1, 'mesh-coordinator'],
      ['saga.replies', 2, 'users'],
      ['saga.stuck', 3, 'coordinator'],
    ]);
    expect(byTopic(saga.hops, 'users.create')).toMatchObject({
      attempt: 1,
      outcome: { kind: 'saga-command', sagaId: SAGA_ID, sagaType: 'account-signup', step: 'create-user', command: 'execute', attempt: 1, deadlineAt: 30_000 },
    });
    expect(byTopic(saga.hops, 'saga.replies').outcome).toEqual({ kind: 'saga-reply', sagaId: SAGA_ID, step: 'create-user', outcome: 'FAILED', errorKind: 'PERMANENT', error: 'email taken' });
    expect(byTopic(saga.hops, 'saga.stuck').outcome).toEqual({ kind: 'saga-stuck', sagaId: SAGA_ID });
    expect(saga.counts).toMatchObject({ sagaCommands: 1, sagaReplies: 1 });
  });

  it('tells parked copies and DLQ replays from retries', () => {
    const parked = row('intake.retry.0', 0, 1, 1_020, { ...rootHeaders, [Header.parked]: 'true', [Header.agent]: 'intake', [Header.attempt]: '0', [Header.dueAt]: '1100' });
    const replayed = row('intake.retry.0', 0, 2, 9_000, { ...rootHeaders, [Header.replay]: 'r1@2026-01-01T00:00:00Z', [Header.agent]: 'intake', [Header.attempt]: '0', [Header.dueAt]: '9000' });
    const j = buildJourney([row('orders', 0, 0, 1_000, rootHeaders), parked, replayed]);
    expect(j.hops.map((h) => h.outcome.kind)).toEqual(['ok', 'parked', 'replayed']);
  });

  it('survives causes that point at each other and an empty set of rows', () => {
    const a = row('t', 0, 0, 1, { [Header.eventId]: 'a', [Header.causationId]: 'b' });
    const b = row('t', 0, 1, 2, { [Header.eventId]: 'b', [Header.causationId]: 'a' });
    expect(buildJourney([a, b]).hops).toHaveLength(2);
    expect(buildJourney([])).toMatchObject({ hops: [], durationMs: 0, counts: { records: 0 } });
  });
});

describe('producingAgent', () => {
  it("matches an output's id to the agent that derived it, at any position", () => {
    const [, , , , , enriched] = pipelineRows();
    expect(producingAgent(enriched!, ['intake', 'enricher'])).toBe('enricher');
    expect(producingAgent(enriched!, ['intake'])).toBeNull();
    expect(producingAgent({ eventId: 'x', causationId: null, topic: 't' }, ['intake'])).toBeNull();
  });
});
