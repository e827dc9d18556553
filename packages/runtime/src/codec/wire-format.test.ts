import { InvalidInputError } from '../failure/errors';
import { encodeConfluentFrame, parseConfluentFrame } from './wire-format';

describe('the Confluent wire format', () => {
  it('frames a body with magic 0 and the big-endian schema id, and parses it back', () => {
    const framed = encodeConfluentFrame(258, Buffer.from([7, 8]));
    expect([...framed]).toEqual([0, 0, 0, 1, 2, 7, 8]);
    const { schemaId, body } = parseConfluentFrame(framed);
    expect(schemaId).toBe(258);
    expect([...body]).toEqual([7, 8]);
  });

  it.each([
    [null, /no value \(null or tombstone\)/],
    [Buffer.alloc(0), /empty \(0 bytes\)/],
    [Buffer.from('{"a":1}'), /^not in the Confluent wire format \(magic byte 0x7b, expected 0x00; it looks like plain JSON\)$/],
    [Buffer.from([0x01, 0, 0, 0, 1]), /^not in the Confluent wire format \(magic byte 0x01, expected 0x00\)$/],
    [Buffer.from([0, 0, 1]), /3 bytes, shorter than its 5-byte header/],
    [Buffer.from([0, 0, 0, 0, 0]), /unknown schema id 0/],
    [Buffer.from([0, 0xff, 0xff, 0xff, 0xff]), /unknown schema id -1/],
  ])('refuses %j as invalid input with a reason', (bytes, reason) => {
    let thrown: unknown;
    try {
      parseConfluentFrame(bytes);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as Error).message).toMatch(reason);
  });
});
