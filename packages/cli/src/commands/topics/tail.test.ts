import { keyText, parseFrom, renderTailRecord } from './tail';

describe('parseFrom', () => {
  it('reads beginning, end, an offset and a time', () => {
    expect(parseFrom('beginning')).toEqual({ kind: 'beginning' });
    expect(parseFrom('oldest')).toEqual({ kind: 'beginning' });
    expect(parseFrom('end')).toEqual({ kind: 'end' });
    expect(parseFrom('42')).toEqual({ kind: 'offset', offset: 42n });
    expect(parseFrom('@1700000000000')).toEqual({ kind: 'time', ms: 1_700_000_000_000 });
    expect(parseFrom('2025-06-01T12:00:00Z')).toEqual({ kind: 'time', ms: Date.parse('2025-06-01T12:00:00Z') });
  });

  it('refuses anything else in one line', () => {
    expect(() => parseFrom('yesterday')).toThrow("'yesterday' is not beginning, end, an offset, or a time (@<epoch ms> or an ISO time such as 2025-06-01T12:00:00Z)");
  });
});

describe('keyText', () => {
  it('shows a text key as it is, JSON-looking or not', () => {
    expect(keyText(Buffer.from('order-1'))).toBe('order-1');
    expect(keyText(Buffer.from('{"id":1}'))).toBe('{"id":1}');
    expect(keyText(null)).toBeNull();
  });

  it('shows bytes that are not text as hex', () => {
    expect(keyText(Buffer.from([0xff, 0x00, 0x01]))).toBe('hex:ff0001');
    expect(keyText(Buffer.from([0x00, 0x00, 0x00, 0x01]))).toBe('hex:00000001');
  });
});

describe('renderTailRecord', () => {
  it('shows where, key, headers and the value', () => {
    const text = renderTailRecord({
      topic: 'greetings.sent',
      partition: 0,
      offset: '7',
      timestamp: '2025-06-01T12:00:00.000Z',
      key: 'r-1',
      headers: { 'mesh-event-id': 'e-1' },
      value: { encoding: 'avro', schemaId: 3, value: { text: 'Hello' } },
    });
    expect(text.split('\n').slice(0, 3)).toEqual(['── greetings.sent partition 0 offset 7 at 2025-06-01T12:00:00.000Z', 'key:     r-1', 'headers: mesh-event-id=e-1']);
    expect(text).toContain('"text": "Hello"');
  });
});
