import { Header } from '@agentmesh/runtime';
import { buildReplayRecord, newReplayRun, replayMarker } from './replay-record';
import { deadLetter } from '../../../test/support/dead-letters';

const run = { id: 'replay-0a1b2c3d', startedAt: Date.parse('2025-06-01T12:00:00Z') };

describe('buildReplayRecord', () => {
  it("sends the original key, bytes and headers to the agent's retry tier 0, due now, as attempt 1", () => {
    const letter = deadLetter({}, { traceparent: '00-abc-def-01', 'x-tenant': 'acme' });
    const now = run.startedAt + 5_000;
    const replay = buildReplayRecord('billing', letter, run, now);
    expect(replay.topic).toBe('billing.retry.0');
    expect(replay.key).toBe(letter.record.key);
    expect(replay.value).toBe(letter.record.value);
    expect(replay.headers).toEqual({
      ...letter.record.headers,
      [Header.attempt]: '0',
      [Header.dueAt]: String(now),
      [Header.replay]: 'replay-0a1b2c3d@2025-06-01T12:00:00.000Z',
    });
    // The failure story stays whole: origin, first failure, every attempt.
    expect(replay.headers[Header.failureHistory]).toBe(letter.record.headers[Header.failureHistory]);
    expect(replay.headers[Header.eventId]).toBe('event-1');
    expect(replay.headers['x-tenant']).toBe('acme');
  });

  it('names an event without an id by the id the worker derived from its origin', () => {
    const headers = { ...deadLetter().record.headers };
    delete headers[Header.eventId];
    const letter = deadLetter({ headers });
    expect(letter.eventIdDerived).toBe(true);
    const replay = buildReplayRecord('billing', letter, run, run.startedAt);
    expect(replay.headers[Header.eventId]).toBe(letter.eventId);
    expect(letter.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Same origin, same id: two reads agree.
    expect(deadLetter({ headers }).eventId).toBe(letter.eventId);
  });

  it('gives each run its own marker', () => {
    const a = newReplayRun(run.startedAt);
    const b = newReplayRun(run.startedAt);
    expect(a.id).not.toBe(b.id);
    expect(replayMarker(a)).toMatch(/^replay-[0-9a-f]{8}@2025-06-01T12:00:00\.000Z$/);
  });
});
