import { InvalidInputError } from '../failure/errors';
import { EncodeError } from './errors';
import { JsonCodec } from './json-codec';

describe('JsonCodec', () => {
  const codec = new JsonCodec();

  it('round-trips a value as UTF-8 JSON', async () => {
    const bytes = await codec.encode('t', { name: 'Zoë', n: 1 });
    expect(bytes.toString('utf8')).toBe('{"name":"Zoë","n":1}');
    expect(await codec.decode('t', bytes)).toEqual({ name: 'Zoë', n: 1 });
  });

  it.each([
    [null, /no value/],
    [Buffer.alloc(0), /empty/],
    [Buffer.from([0xc3, 0x28]), /not valid UTF-8/],
    [Buffer.from('{"a":'), /not valid JSON/],
    [Buffer.from([0, 0, 0, 0, 1, 2]), /like Avro in the Confluent wire format/],
  ])('refuses %j as invalid input', async (bytes, reason) => {
    const decoding = codec.decode('t', bytes);
    await expect(decoding).rejects.toBeInstanceOf(InvalidInputError);
    await expect(decoding).rejects.toThrow(reason);
  });

  it('refuses values JSON cannot hold', async () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    await expect(codec.encode('t', cyclic)).rejects.toBeInstanceOf(EncodeError);
    await expect(codec.encode('t', undefined)).rejects.toThrow(/cannot be written as JSON/);
  });
});
