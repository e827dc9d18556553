import { seeded } from '../../../test/support/seeded';
import { stockKafkajs } from '../test/stock-kafkajs';
import type { EncoderClass, EncoderLike } from './record-codec';
import { fastRequestFrame, type CreateRequest, type RequestFrameArgs } from './request-frame';

// kafkajs's own framing, the reference: ours must give the same bytes, or the same error.
/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
/* eslint-enable @typescript-eslint/no-require-imports */
const kafkajsFrame = stockKafkajs<CreateRequest>('src/protocol/request.js');

const frame = fastRequestFrame(kafkajsFrame, Encoder);
const CLIENT_IDS = [null, undefined, '', 'mesh-ocr', 'agentmesh-test', 'héllo-wörld', '日本語', '🙂', 'x'.repeat(2000)];

/** kafkajs's Encoder, as far as these tests write one. */
type WritableEncoder = EncoderLike & { writeBuffer(bytes: Buffer): unknown };

function payloadOf(bytes: Buffer): EncoderLike {
  const encoder = new Encoder() as WritableEncoder;
  encoder.writeBuffer(bytes);
  return encoder;
}

async function outcome(create: CreateRequest, args: RequestFrameArgs): Promise<{ bytes?: string; error?: string }> {
  try {
    return { bytes: ((await create(args)) as EncoderLike & { buffer: Buffer }).buffer.toString('hex') };
  } catch (error) {
    return { error: String(error) };
  }
}

describe('fastRequestFrame', () => {
  it('frames requests exactly as kafkajs does, over 1,000 random ones', async () => {
    const rnd = seeded(424242);
    for (let i = 0; i < 1000; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(rnd() * 3000) }, () => Math.floor(rnd() * 256)));
      const args = (): RequestFrameArgs => ({
        correlationId: Math.floor((rnd() - 0.5) * 2 ** 32),
        clientId: CLIENT_IDS[Math.floor(rnd() * CLIENT_IDS.length)],
        request: { apiKey: Math.floor(rnd() * 70), apiVersion: Math.floor(rnd() * 13), encode: async () => payloadOf(bytes) },
      });
      const shared = args();
      const ours = await outcome(frame, shared);
      expect(ours.bytes).toBeDefined();
      expect(ours).toEqual(await outcome(kafkajsFrame, shared));
    }
  });

  it('returns a kafkajs Encoder, sized to the request', async () => {
    const framed = await frame({ correlationId: 7, clientId: 'c', request: { apiKey: 0, apiVersion: 3, encode: () => payloadOf(Buffer.from('abc')) } });
    expect(framed).toBeInstanceOf(Encoder);
    expect(framed.offset).toBe(framed.buf.length);
  });

  it("hands odd requests to kafkajs's own framing, with the same bytes or error, encoding once", async () => {
    const odd: Array<Partial<RequestFrameArgs> & { payload?: unknown }> = [
      { correlationId: 2 ** 31 },
      { correlationId: 1.5 },
      { request: { apiKey: 40000, apiVersion: 0, encode: () => undefined } },
      { request: { apiKey: 1, apiVersion: -40000, encode: () => undefined } },
      { clientId: 42 },
      { clientId: 'x'.repeat(40000) },
      { payload: { buf: 'not a buffer' } },
      { payload: Buffer.from('a buffer, not an encoder') },
    ];
    for (const { payload = payloadOf(Buffer.from('p')), ...fields } of odd) {
      let encoded = 0;
      const encode = () => {
        encoded += 1;
        return payload;
      };
      const args = (): RequestFrameArgs => ({ correlationId: 1, clientId: 'c', ...fields, request: { apiKey: 0, apiVersion: 3, ...fields.request, encode } });
      const ours = await outcome(frame, args());
      expect(encoded).toBe(1);
      expect([fields, ours]).toEqual([fields, await outcome(kafkajsFrame, args())]);
    }
  });
});
