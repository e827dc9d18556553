import { Header, JsonCodec } from '@agentmesh/runtime';
import { decodeDeadLetter } from './dead-letter';

describe('decodeDeadLetter', () => {
  const headers = {
    [Header.eventId]: 'e-1',
    [Header.agent]: 'checker',
    [Header.attempt]: '2',
    [Header.originalTopic]: 'orders',
    [Header.errorKind]: 'permanent',
    [Header.errorMessage]: 'refused',
    [Header.failureHistory]: JSON.stringify([{ attempt: 1, at: 5, kind: 'transient', errorClass: 'Error', message: 'flaky', agent: 'checker' }]),
  };

  it('decodes the value as on its original topic, with the failure history', async () => {
    const dead = await decodeDeadLetter({ topic: 'checker.dlq', partition: 0, offset: '3', key: 'k', value: Buffer.from('{"id":"o-1"}'), headers, eventId: 'e-1' }, new JsonCodec());
    expect(dead.value).toEqual({ id: 'o-1' });
    expect(dead.failure).toMatchObject({ agent: 'checker', attempt: 2, kind: 'permanent', errorMessage: 'refused', origin: { topic: 'orders' } });
    expect(dead.failure?.history.map((h) => h.message)).toEqual(['flaky']);
  });

  it('keeps the raw bytes of a value that does not decode (invalid input)', async () => {
    const bytes = Buffer.from('not json');
    const dead = await decodeDeadLetter({ topic: 'checker.dlq', partition: 0, offset: '4', key: null, value: bytes, headers, eventId: 'e-2' }, new JsonCodec());
    expect(dead.value).toBe(bytes);
  });
});
