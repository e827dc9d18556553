import { seeded } from '../../../test/support/seeded';
import { stockKafkajs } from '../test/stock-kafkajs';
import {
  fastRecordDecoder,
  fastRecordEncoder,
  type BatchContext,
  type DecoderLike,
  type EncoderClass,
  type EncoderLike,
  type RecordDecoder,
  type RecordEncoder,
  type RecordInput,
} from './record-codec';

// kafkajs's own codecs, the reference: ours must give the same bytes and the same records.
/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass & { prototype: { buffer: Buffer } };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => DecoderLike & { readVarIntBytes(): Buffer };
/* eslint-enable @typescript-eslint/no-require-imports */
const kafkajsEncode = stockKafkajs<RecordEncoder>('src/protocol/recordBatch/record/v0/index.js');
const kafkajsDecode = stockKafkajs<RecordDecoder>('src/protocol/recordBatch/record/v0/decoder.js');

const encode = fastRecordEncoder(kafkajsEncode, Encoder);
const decode = fastRecordDecoder(kafkajsDecode);
const bytesOf = (encoder: EncoderLike) => (encoder as EncoderLike & { buffer: Buffer }).buffer;

const TEXTS = ['', 'a', 'inv-000123', 'mesh-event-id', 'héllo wörld', '日本語のキー', '🙂 emoji', 'x'.repeat(300)];

function randomRecord(rnd: () => number): RecordInput {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const bytesOrText = (): string | Buffer => (rnd() < 0.5 ? pick(TEXTS) : Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256))));
  const headers: Record<string, string | Buffer | Array<string | Buffer>> = {};
  const headerCount = Math.floor(rnd() * 6);
  for (let i = 0; i < headerCount; i++) headers[rnd() < 0.2 ? pick(TEXTS) : `h-${i}`] = rnd() < 0.15 ? [bytesOrText(), bytesOrText()] : bytesOrText();
  const record: RecordInput = {
    offsetDelta: pick([0, 1, 63, 64, 127, 128, 8191, 8192, 100_000, Math.floor(rnd() * 2 ** 20)]),
    timestampDelta: pick([0, 1, -1, 63, 64, -65, 2 ** 31, -(2 ** 33), 1_700_000_000_000, Math.floor((rnd() - 0.5) * 2 ** 40)]),
    key: rnd() < 0.2 ? null : bytesOrText(),
    value: rnd() < 0.1 ? null : bytesOrText(),
  };
  if (rnd() < 0.9) record.headers = headers;
  return record;
}

describe('fastRecordEncoder', () => {
  it('writes exactly the bytes kafkajs writes, over 3,000 random records', () => {
    const rnd = seeded(20261122);
    for (let i = 0; i < 3000; i++) {
      const record = randomRecord(rnd);
      expect(bytesOf(encode(record)).equals(bytesOf(kafkajsEncode(record)))).toBe(true);
    }
  });

  it('returns a kafkajs Encoder, which the record batch encoder requires', () => {
    expect(encode({ key: 'k', value: 'v' })).toBeInstanceOf(Encoder);
  });

  it("hands what it does not handle to kafkajs's own, with the same result or error", () => {
    const outcome = (run: () => EncoderLike) => {
      try {
        return { bytes: bytesOf(run()).toString('hex') };
      } catch (error) {
        return { error: String(error) };
      }
    };
    const odd = [
      { timestampDelta: 1.5, value: 'v' },
      { timestampDelta: 2 ** 60, value: 'v' },
      { offsetDelta: -3, value: 'v' },
      { value: 'v', headers: { n: 5 } },
      { value: 'v', headers: { n: null } },
      { key: 42, value: 'v' },
    ] as unknown as RecordInput[];
    for (const record of odd) expect(outcome(() => encode(record))).toEqual(outcome(() => kafkajsEncode(record)));
  });
});

describe('fastRecordDecoder', () => {
  /** The record bytes as the record batch decoder hands them over: without the length prefix. */
  const body = (record: RecordInput) => new Decoder(bytesOf(kafkajsEncode(record))).readVarIntBytes();
  const contexts: BatchContext[] = [
    { firstOffset: '0', firstTimestamp: '1700000000000', maxTimestamp: '1700000000999', magicByte: 2, isControlBatch: false, timestampType: 0 },
    { firstOffset: '123456789', firstTimestamp: '-1', maxTimestamp: '-1', magicByte: 2, timestampType: 0 },
    { firstOffset: '5', firstTimestamp: '1700000000000', maxTimestamp: '1700000000999', magicByte: 2, isControlBatch: true, timestampType: 1 },
    // Past 2^53: only Long arithmetic is exact, so these go to kafkajs's decoder.
    { firstOffset: '9007199254740993', firstTimestamp: '9007199254740993', maxTimestamp: '0', magicByte: 2, timestampType: 0 },
  ];

  it('returns what kafkajs returns, over 3,000 random records and batch contexts', () => {
    const rnd = seeded(7);
    for (let i = 0; i < 3000; i++) {
      const bytes = body(randomRecord(rnd));
      const context = contexts[i % contexts.length]!;
      const ours = new Decoder(bytes);
      const theirs = new Decoder(bytes);
      expect(decode(ours, context)).toEqual(kafkajsDecode(theirs, context));
      expect(ours.offset).toBe(theirs.offset);
    }
  });

  it('decodes batches as kafkajs hands them over (one context object per batch), with more header names than it remembers', () => {
    const rnd = seeded(11);
    // 100 names, many of one length differing in one byte, so a remembered name is matched by all its bytes.
    const nameOf = (k: number) => (k % 3 === 0 ? `mesh-h-${String(k).padStart(3, '0')}` : k % 3 === 1 ? `x${k}` : `hé-${k}`);
    for (let batch = 0; batch < 20; batch++) {
      const context = { ...contexts[batch % 3]! };
      for (let r = 0; r < 50; r++) {
        const headers: Record<string, string> = {};
        for (let h = 0; h < 5; h++) headers[nameOf(Math.floor(rnd() * 100))] = `v${h}`;
        const bytes = body({ key: `k${r}`, value: 'v', headers, timestampDelta: r, offsetDelta: r });
        expect(decode(new Decoder(bytes), context)).toEqual(kafkajsDecode(new Decoder(bytes), context));
      }
    }
  });

  it('gathers a repeated header key into an array, in order, as kafkajs does', () => {
    // Two headers of one name can only come from another client: build the bytes by hand.
    const bytes = body({ value: 'v', headers: { a: '1', b: '2' } });
    const renamed = Buffer.from(bytes.toString('latin1').replace('\u0002b', '\u0002a'), 'latin1');
    const decoded = decode(new Decoder(renamed), contexts[0]);
    expect(decoded.headers).toEqual({ a: [Buffer.from('1'), Buffer.from('2')] });
    expect(decoded).toEqual(kafkajsDecode(new Decoder(renamed), contexts[0]));
  });
});
