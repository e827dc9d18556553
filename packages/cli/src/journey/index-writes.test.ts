import { Header } from '@agentmesh/runtime';
import { pipelineRows, ROOT_ID, row, SAGA_ID, sagaRows, TRACE_ID } from '../../test/support/journeys';
import { indexWrites, keysWritten, TraceIndexKeys } from './index-writes';
import { cursorField, isIndexedTopic, rangesToIndex } from './indexed-topics';

const keys = new TraceIndexKeys('cluster-1');

describe('indexWrites', () => {
  it('files every record under its journey, findable by each event id and the trace id', () => {
    const rows = pipelineRows();
    const writes = indexWrites(keys, rows);
    expect([...writes.zadd.keys()]).toEqual([`mesh:trace:cluster-1:j:${ROOT_ID}`]);
    expect(writes.zadd.get(keys.journey(ROOT_ID))!.map(([score]) => score)).toEqual(rows.map((r) => r.timestamp));
    expect(JSON.parse(writes.zadd.get(keys.journey(ROOT_ID))![1]![1])).toEqual(rows[1]);
    for (const r of rows) expect(writes.set.get(keys.event(r.eventId))).toBe(ROOT_ID);
    expect([...writes.sadd.get(keys.trace(TRACE_ID))!]).toEqual([ROOT_ID]);
    expect(keysWritten(writes)).toHaveLength(1 + new Set(rows.map((r) => r.eventId)).size + 1);
  });

  it("links a saga's id to its journey and keeps its stuck notice under the saga", () => {
    const writes = indexWrites(keys, sagaRows());
    expect([...writes.sadd.get(keys.saga(SAGA_ID))!]).toEqual(['trigger-1']);
    expect(writes.zadd.get(keys.sagaRows(SAGA_ID))).toHaveLength(1);
    expect(writes.set.has(keys.event('stuck-1'))).toBe(false);
  });

  it('keeps the keys of different clusters apart', () => {
    const other = indexWrites(new TraceIndexKeys('cluster-2'), [row('t', 0, 0, 1, { [Header.eventId]: 'e' })]);
    expect(keysWritten(other).every((k) => k.startsWith('mesh:trace:cluster-2:'))).toBe(true);
  });
});

describe('indexed topics and ranges', () => {
  it('skips internal topics, heartbeats and the saga audit log', () => {
    expect(['orders', 'a.retry.0', 'a.dlq', 'saga.replies', 'saga.stuck'].every(isIndexedTopic)).toBe(true);
    expect(['__consumer_offsets', '_schemas', 'mesh.heartbeats', 'saga.events'].some(isIndexedTopic)).toBe(false);
  });

  it('reads each partition from its cursor to its end, from the start when the cursor is missing or out of range', () => {
    const ends = [
      { topic: 'a', partition: 0, low: 0n, high: 10n },
      { topic: 'a', partition: 1, low: 5n, high: 10n },
      { topic: 'b', partition: 0, low: 0n, high: 3n },
      { topic: 'c', partition: 0, low: 0n, high: 4n },
      { topic: 'd', partition: 0, low: 0n, high: 0n },
    ];
    const cursor = new Map([
      [cursorField('a', 0), 7n],
      [cursorField('a', 1), 2n],
      [cursorField('b', 0), 3n],
      [cursorField('c', 0), 9n],
    ]);
    expect(rangesToIndex(ends, cursor)).toEqual([
      { topic: 'a', partition: 0, start: 7n, end: 10n },
      { topic: 'a', partition: 1, start: 5n, end: 10n },
      { topic: 'c', partition: 0, start: 0n, end: 4n },
    ]);
  });
});
