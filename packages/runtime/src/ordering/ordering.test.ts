import { Header } from '../events/headers';
import type { ConsumedRecord } from '../worker/process-event';
import { MemoryKeyBarrier } from './key-barrier';
import { parkedRecord, parkRecheckMs } from './park';

describe('key lines', () => {
  it('hold events in arrival order and hand the turn on when the head is released', async () => {
    const b = new MemoryKeyBarrier();
    expect(await b.position('a', 'K', 'e1')).toBe('free');
    await b.enqueue('a', 'K', 'e1');
    await b.enqueue('a', 'K', 'e2');
    await b.enqueue('a', 'K', 'e2'); // once only
    await b.enqueue('a', 'K', 'e3');
    expect([await b.position('a', 'K', 'e1'), await b.position('a', 'K', 'e2'), await b.position('a', 'K', 'x')]).toEqual(['head', 'waiting', 'absent']);
    await b.release('a', 'K', 'e2'); // not the head: nothing happens
    expect(await b.position('a', 'K', 'e2')).toBe('waiting');
    await b.release('a', 'K', 'e1');
    expect(await b.position('a', 'K', 'e2')).toBe('head');
    expect(await b.position('a', 'L', 'e2')).toBe('free'); // lines are per key
    expect(await b.position('other', 'K', 'e2')).toBe('free'); // and per agent
  });
});

describe('parked records', () => {
  const rec: ConsumedRecord = {
    topic: 'in',
    partition: 0,
    offset: '9',
    timestamp: '1',
    key: Buffer.from('K'),
    value: Buffer.from('v'),
    headers: { [Header.eventId]: 'e2' },
    eventId: 'e2',
    attempt: 1,
  };

  it("wait on the agent's first retry tier, unchanged and not charged an attempt", () => {
    const p = parkedRecord(rec, 'agent', 5000);
    expect(p).toMatchObject({ topic: 'agent.retry.0', key: rec.key, value: rec.value });
    expect(p.headers).toMatchObject({ [Header.eventId]: 'e2', [Header.attempt]: '0', [Header.dueAt]: '5000', [Header.parked]: 'true', [Header.agent]: 'agent' });
    expect(parkedRecord({ ...rec, attempt: 3 }, 'agent', 1).headers[Header.attempt]).toBe('2');
  });

  it('re-check at most every second and at least every 100 ms', () => {
    expect([parkRecheckMs(60_000), parkRecheckMs(10), parkRecheckMs(300), parkRecheckMs(undefined)]).toEqual([1000, 100, 300, 1000]);
  });
});
