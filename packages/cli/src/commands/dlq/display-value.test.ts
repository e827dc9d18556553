import type { EventCodec } from '@agentmesh/runtime';
import { displayValue, toJson } from './display-value';

const avroFrame = Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), Buffer.from([2, 4])]);

describe('displayValue', () => {
  it('shows JSON, text, bytes and nothing for what they are', async () => {
    expect(await displayValue(Buffer.from('{"n":1}'), 't', undefined)).toEqual({ encoding: 'json', value: { n: 1 } });
    expect(await displayValue(Buffer.from('hello'), 't', undefined)).toEqual({ encoding: 'utf8', text: 'hello' });
    expect(await displayValue(Buffer.from([0xff, 0xfe]), 't', undefined)).toEqual({ encoding: 'hex', hex: 'fffe' });
    expect(await displayValue(null, 't', undefined)).toEqual({ encoding: 'null' });
  });

  it('decodes Avro frames with the registry, reading them as the given topic', async () => {
    const registry: EventCodec = { encode: async () => Buffer.alloc(0), decode: async (topic) => ({ topic }) };
    expect(await displayValue(avroFrame, 'orders', registry)).toEqual({ encoding: 'avro', schemaId: 7, value: { topic: 'orders' } });
  });

  it('falls back to raw bytes with a note when the registry cannot decode, and never throws', async () => {
    const failing: EventCodec = {
      encode: async () => Buffer.alloc(0),
      decode: async () => {
        throw new Error('unknown schema id 7');
      },
    };
    expect(await displayValue(avroFrame, 'orders', failing)).toEqual({ encoding: 'hex', hex: avroFrame.toString('hex'), note: 'schema id 7 could not be decoded: unknown schema id 7' });
    expect(await displayValue(avroFrame, 'orders', undefined)).toMatchObject({ encoding: 'hex', note: 'Avro frame (schema id 7), not decoded without the registry' });
  });

  it('writes BigInts and bytes as JSON', () => {
    expect(toJson({ big: 12345678901234567890n, bytes: Buffer.from([1, 2]) })).toBe('{"big":"12345678901234567890","bytes":"0102"}');
  });
});
