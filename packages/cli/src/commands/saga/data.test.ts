import type { EventCodec } from '@agentmesh/runtime';
import { decodeSagaData } from './data';

const b64 = (bytes: Buffer) => bytes.toString('base64');
const avroFrame = Buffer.from([0, 0, 0, 0, 7, 2, 65]);

describe('decodeSagaData', () => {
  it('reads JSON data', async () => {
    const data = { topic: 'orders.reserve', bytes: b64(Buffer.from(JSON.stringify({ order: 'o-1', reserved: true }))) };
    expect(await decodeSagaData(data, undefined)).toEqual({ topic: 'orders.reserve', bytes: 31, encoding: 'json', value: { order: 'o-1', reserved: true } });
  });

  it('decodes Avro frames with the registry codec', async () => {
    const registry: EventCodec = { encode: async () => Buffer.alloc(0), decode: async (topic, bytes) => ({ topic, n: bytes!.length }) };
    expect(await decodeSagaData({ topic: 't', bytes: b64(avroFrame) }, registry)).toEqual({ topic: 't', bytes: 7, encoding: 'avro', value: { topic: 't', n: 7 } });
  });

  it('says why when it cannot decode, with the byte count, and never throws', async () => {
    expect(await decodeSagaData({ topic: 't', bytes: b64(avroFrame) }, undefined)).toEqual({ topic: 't', bytes: 7, error: 'Avro (schema id 7): pass --registry to decode it' });
    const broken: EventCodec = { encode: async () => Buffer.alloc(0), decode: async () => Promise.reject(new Error('schema 7 not found')) };
    expect(await decodeSagaData({ topic: 't', bytes: b64(avroFrame) }, broken)).toEqual({ topic: 't', bytes: 7, error: 'schema 7 not found' });
    const notJson = await decodeSagaData({ topic: 't', bytes: b64(Buffer.from('{oops')) }, undefined);
    expect(notJson).toMatchObject({ topic: 't', bytes: 5, error: expect.stringMatching(/not valid JSON/) as unknown });
    expect(await decodeSagaData({ topic: 't', bytes: '' }, undefined)).toMatchObject({ bytes: 0, error: expect.stringMatching(/empty/) as unknown });
  });
});
