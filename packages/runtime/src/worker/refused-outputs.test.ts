import { Header } from '../events/headers';
import { readFailureEnvelope } from '../failure/envelope';
import type { ConsumedRecord, OutgoingRecord } from './process-event';
import { refusedEventResult, sendFindingRefused } from './refused-outputs';

const out = (topic: string, key: string): OutgoingRecord => ({ topic, key, value: Buffer.from(key), headers: {} });

/** A broker refusing writes to some topics, failing a request as kafkajs does (the refusal under its retry wrapper). */
function broker(refused: readonly string[], other?: Error) {
  const requests: string[][] = [];
  const send = async (records: readonly OutgoingRecord[]) => {
    requests.push(records.map((r) => `${r.topic}/${String(r.key)}`));
    if (other) throw other;
    if (records.some((r) => refused.includes(r.topic))) {
      const refusal = Object.assign(new Error('Not authorized to access topics: [Topic authorization failed]'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
      throw Object.assign(new Error(refusal.message, { cause: refusal }), { name: 'KafkaJSNonRetriableError' });
    }
  };
  return { requests, send };
}

describe('sendFindingRefused', () => {
  it("sends each event's records alone and names the events refused, with their topic", async () => {
    const { requests, send } = broker(['payments']);
    const refused = await sendFindingRefused([[out('invoices.extracted', 'a')], [], [out('payments', 'b')], [out('invoices.extracted', 'c')]], send);
    expect([...refused]).toEqual([[2, ['payments']]]);
    expect(requests).toEqual([['invoices.extracted/a'], ['payments/b'], ['invoices.extracted/c']]);
  });

  it('names which topics of an event writing to several were refused', async () => {
    const { requests, send } = broker(['payments', 'audit']);
    const refused = await sendFindingRefused([[out('invoices.extracted', 'a'), out('payments', 'a'), out('audit', 'a')]], send);
    expect([...refused]).toEqual([[0, ['payments', 'audit']]]);
    expect(requests.slice(1)).toEqual([['invoices.extracted/a'], ['payments/a'], ['audit/a']]);
  });

  it('finds nothing refused when each event goes out alone (the refusal was another send of the request)', async () => {
    const { send } = broker([]);
    expect((await sendFindingRefused([[out('a', '1')], [out('b', '2')]], send)).size).toBe(0);
  });

  it('throws any other failure as the send would', async () => {
    const { send } = broker([], new Error('broker gone'));
    await expect(sendFindingRefused([[out('a', '1')]], send)).rejects.toThrow('broker gone');
  });
});

describe('refusedEventResult', () => {
  const rec: ConsumedRecord = {
    topic: 'invoices.received',
    partition: 1,
    offset: '42',
    timestamp: '1700000000000',
    key: Buffer.from('inv-1'),
    value: Buffer.from('{}'),
    headers: { [Header.eventId]: 'e-1' },
    eventId: 'e-1',
    attempt: 1,
  };

  it('dead-letters the event as a permanent failure naming the refused topic', () => {
    const result = refusedEventResult(rec, { kind: 'finished', outcome: 'processed', records: [out('payments', 'inv-1')], stepsUsed: true }, ['payments'], 'ocr', 1_700_000_001_000);
    expect(result).toMatchObject({ kind: 'finished', outcome: 'dead-lettered', stepsUsed: true });
    expect(result.records).toHaveLength(1);
    const [dead] = result.records;
    expect(dead).toMatchObject({ topic: 'ocr.dlq', key: rec.key, value: rec.value });
    const envelope = readFailureEnvelope(dead!.headers)!;
    expect(envelope).toMatchObject({ agent: 'ocr', kind: 'permanent', errorClass: 'OutputRefusedError', origin: { topic: 'invoices.received', partition: 1, offset: '42' } });
    expect(envelope.errorMessage).toMatch(/^TOPIC_AUTHORIZATION_FAILED: .*'payments'/);
    expect(dead!.headers[Header.eventId]).toBe('e-1');
  });
});
