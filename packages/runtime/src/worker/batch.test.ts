import type { KafkaMessage } from 'kafkajs';
import { Header } from '../events/headers';
import { BUSY_RECHECK_MS, nextFetch, readBatch, settleBatch, type RecordResult } from './batch';
import type { OutgoingRecord } from './process-event';

function message(offset: number, key: string | null, headers: Record<string, string> = {}): KafkaMessage {
  const message: KafkaMessage = {
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(`v${offset}`),
    timestamp: '1000',
    attributes: 0,
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
  return message;
}

const SOURCE = { topic: 'in', partition: 2, retryTier: undefined, now: 5_000 };
const TIER0 = { topic: 'agent.retry.0', partition: 0, retryTier: 0, now: 5_000 };
const out = (topic: string): OutgoingRecord => ({ topic, key: null, value: null, headers: {} });

describe('readBatch', () => {
  it('keeps the event id a record carries, and derives a stable one for a record without', () => {
    const batch = readBatch([message(7, 'a', { [Header.eventId]: 'e-1' }), message(8, 'b')], SOURCE);
    expect(batch.records[0]!.eventId).toBe('e-1');
    const derived = batch.records[1]!.eventId;
    expect(derived).toMatch(/^[0-9a-f-]{36}$/);
    expect(readBatch([message(8, 'b')], SOURCE).records[0]!.eventId).toBe(derived);
    // Stamped on the record, so retry and dead-letter copies keep the same id.
    expect(batch.records[1]!.headers[Header.eventId]).toBe(derived);
  });

  it("drops another agent's failure envelope from a source record but keeps it on a retry record", () => {
    const foreign = { [Header.attempt]: '3', [Header.errorKind]: 'transient', [Header.dueAt]: '1', other: 'kept' };
    expect(readBatch([message(1, 'k', foreign)], SOURCE).records[0]!.headers).toEqual({ other: 'kept', [Header.eventId]: expect.any(String) as unknown });
    const retried = readBatch([message(1, 'k', foreign)], TIER0).records[0]!;
    expect(retried.headers[Header.errorKind]).toBe('transient');
    expect(retried.attempt).toBe(4);
  });

  it('counts a source record as its first attempt', () => {
    expect(readBatch([message(1, 'k', { [Header.attempt]: '3' })], SOURCE).records[0]!.attempt).toBe(1);
  });

  it('stops a retry tier at the first record not yet due and says how long until it is', () => {
    const batch = readBatch([message(1, 'a', { [Header.dueAt]: '4000' }), message(2, 'b', { [Header.dueAt]: '5300' }), message(3, 'c', { [Header.dueAt]: '1' })], TIER0);
    expect(batch.records.map((r) => r.offset)).toEqual(['1']);
    expect(batch.notDueInMs).toBe(300);
  });

  it('never holds back a source record for its due-at header', () => {
    const batch = readBatch([message(1, 'a', { [Header.dueAt]: '9999999' })], SOURCE);
    expect(batch.records).toHaveLength(1);
    expect(batch.notDueInMs).toBeUndefined();
  });

  it('marks every copy of an event id after the first as a repeat', () => {
    const batch = readBatch([message(1, 'a', { [Header.eventId]: 'x' }), message(2, 'b', { [Header.eventId]: 'y' }), message(3, 'a', { [Header.eventId]: 'x' })], SOURCE);
    expect(batch.repeats).toEqual([false, false, true]);
  });

  it('gives records of one key one line, and each record without a key a line of its own', () => {
    const batch = readBatch([message(1, 'a'), message(2, null), message(3, 'a'), message(4, null)], SOURCE);
    expect(batch.lines[0]).toBe(batch.lines[2]);
    expect(new Set(batch.lines).size).toBe(3);
  });
});

describe('settleBatch', () => {
  const records = readBatch([message(10, 'a'), message(11, 'b'), message(12, 'c'), message(13, 'd')], SOURCE).records;

  it('writes outputs and retries in record order and commits through the last record when all are decided', () => {
    const results: RecordResult[] = [
      { kind: 'finished', outcome: 'processed', records: [out('x1'), out('x2')] },
      { kind: 'retry', records: [out('retry')] },
      { kind: 'duplicate' },
      { kind: 'finished', outcome: 'dead-lettered', records: [out('dlq')], checkpointUsed: true },
    ];
    const settled = settleBatch(records, results);
    expect(settled.outgoing.map((r) => r.topic)).toEqual(['x1', 'x2', 'retry', 'dlq']);
    expect(settled.completions).toEqual([
      { eventId: records[0]!.eventId, outcome: 'processed' },
      { eventId: records[3]!.eventId, outcome: 'dead-lettered' },
    ]);
    expect(settled.retried).toEqual([records[1]!.eventId]);
    expect(settled.checkpointed).toEqual([records[3]!.eventId]);
    expect(settled.commitThrough).toBe('13');
    expect(settled.stoppedBy).toBeUndefined();
    expect(Object.fromEntries(settled.outcomes)).toEqual({ processed: 1, retried: 1, duplicate: 1, 'dead-lettered': 1 });
  });

  it('commits only the contiguous prefix of decided records, and counts only its outcomes', () => {
    const results: RecordResult[] = [
      { kind: 'finished', outcome: 'processed', records: [] },
      { kind: 'busy' },
      { kind: 'finished', outcome: 'processed', records: [out('later')] },
      { kind: 'duplicate' },
    ];
    const settled = settleBatch(records, results);
    expect(settled.commitThrough).toBe('10');
    expect(settled.stoppedBy).toEqual({ kind: 'busy' });
    expect(Object.fromEntries(settled.outcomes)).toEqual({ processed: 1 });
    // A decided record after the gap is still written and marked: fetched again, it is a duplicate.
    expect(settled.outgoing.map((r) => r.topic)).toEqual(['later']);
    expect(settled.completions).toHaveLength(2);
  });

  it('commits nothing when the first record is held, and says why', () => {
    const settled = settleBatch(records.slice(0, 1), [{ kind: 'hold', retryAfterMs: 2_000, reason: 'breaker erp open' }]);
    expect(settled.commitThrough).toBeUndefined();
    expect(settled.stoppedBy).toEqual({ kind: 'hold', retryAfterMs: 2_000, reason: 'breaker erp open' });
  });
});

describe('nextFetch', () => {
  it('pauses everything for a hold, for as long as it asks', () => {
    expect(nextFetch({ kind: 'hold', retryAfterMs: 2_000, reason: 'r' }, 50)).toEqual({ action: 'pause-all', reason: 'r', ms: 2_000 });
  });

  it('pauses the partition for a busy record', () => {
    expect(nextFetch({ kind: 'busy' }, undefined)).toEqual({ action: 'pause-partition', ms: BUSY_RECHECK_MS });
  });

  it('pauses a retry tier until its next record is due, but not for less than a few ms', () => {
    expect(nextFetch(undefined, 700)).toEqual({ action: 'pause-partition', ms: 700 });
    expect(nextFetch(undefined, 1)).toEqual({ action: 'pause-partition', ms: 10 });
  });

  it('fetches on when everything was decided', () => {
    expect(nextFetch(undefined, undefined)).toEqual({ action: 'fetch' });
  });
});
