import { seeded } from '../../../test/support/seeded';
import { stockKafkajs } from '../test/stock-kafkajs';
import { crc32c } from './crc32c';
import { fastProduceRequestV3, type ProduceRequest, type ProduceRequestArgs, type ProduceRequestV3 } from './produce-request';
import type { EncoderClass, EncoderLike } from './record-codec';

// kafkajs's own produce request, the reference: ours must give the same bytes.
/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: string | number | bigint): object };
/* eslint-enable @typescript-eslint/no-require-imports */
const kafkajsRequest = stockKafkajs<ProduceRequestV3>('src/protocol/requests/produce/v3/request.js');

const bytesOf = (encoder: EncoderLike) => (encoder as EncoderLike & { buffer: Buffer }).buffer;

/** Our request over kafkajs's, counting the requests whose encode went to kafkajs's own. */
function instrumented() {
  let stockEncodes = 0;
  const original: ProduceRequestV3 = (args) => {
    const request = kafkajsRequest(args);
    const encode = request.encode;
    request.encode = () => {
      stockEncodes++;
      return encode();
    };
    return request;
  };
  return { fast: fastProduceRequestV3(original, Encoder, crc32c!), stockEncodes: () => stockEncodes };
}

/**
 * A clock restarted before each encode, which moves on at every read: both encodes must read it
 * alike, once per partition. Except where the request goes to kafkajs's own encode: ours has read it
 * by then, and kafkajs reads it again.
 */
let now = 0;
let tick = 1;
const NOW = 1_700_000_000_000;
beforeEach(() => {
  tick = 1;
  jest.spyOn(Date, 'now').mockImplementation(() => (now += tick) - tick);
});
afterEach(() => jest.restoreAllMocks());

async function encoded(request: ProduceRequest): Promise<Buffer> {
  now = NOW;
  return bytesOf(await request.encode());
}

async function outcome(request: () => ProduceRequest): Promise<{ bytes: string } | { error: string }> {
  try {
    return { bytes: (await encoded(request())).toString('hex') };
  } catch (error) {
    return { error: String(error) };
  }
}

const TEXTS = ['', 'a', 'inv-000123', 'mesh-event-id', 'héllo wörld', '日本語のキー', '🙂 emoji', 'x'.repeat(300)];
const TIMESTAMPS = [NOW - 5, NOW + 1234, String(NOW + 7), String(NOW - 99_999), 999_999_999_999, '999999999999', 0, 42, -1, '-17', '0012'];

function randomArgs(rnd: () => number): ProduceRequestArgs {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const int = (below: number) => Math.floor(rnd() * below);
  const bytes = () => Buffer.from(Array.from({ length: int(40) }, () => int(256)));
  const bytesOrText = (): string | Buffer => (rnd() < 0.5 ? pick(TEXTS) : bytes());
  const withTimestamps = rnd() < 0.4;
  const message = () => {
    const m: Record<string, unknown> = { value: rnd() < 0.1 ? null : rnd() < 0.2 ? 'v'.repeat(600) : bytesOrText() };
    const k = rnd();
    if (k < 0.2) m.key = null;
    else if (k < 0.85) m.key = bytesOrText();
    if (rnd() < 0.85) {
      const headers: Record<string, string | Buffer | Array<string | Buffer>> = {};
      for (let i = int(6); i > 0; i--) headers[rnd() < 0.2 ? pick(TEXTS) : `h-${i}`] = rnd() < 0.15 ? [bytesOrText(), bytesOrText()] : bytesOrText();
      m.headers = headers;
    }
    if (withTimestamps && rnd() < 0.7) m.timestamp = rnd() < 0.1 ? null : pick(TIMESTAMPS);
    return m;
  };
  const topicData = Array.from({ length: 1 + int(3) }, (_, t) => ({
    topic: rnd() < 0.2 ? pick(TEXTS.slice(1)) : `topic-${t}`,
    partitions: Array.from({ length: 1 + int(4) }, (_, p) => {
      const partition: Record<string, unknown> = { partition: p * 3 + int(3), messages: Array.from({ length: int(51) }, message) };
      if (rnd() < 0.7) partition.firstSequence = pick([0, 1, 2 ** 31 - 1, int(100_000)]);
      return partition;
    }),
  }));
  const args: ProduceRequestArgs = { acks: pick([-1, 1]), timeout: pick([30_000, 5000]), topicData };
  const id = rnd();
  if (id < 0.3) args.producerId = Long.fromValue(pick([-1, 0, 4000, 2 ** 40 + 3, int(2 ** 31)]));
  else if (id < 0.5)
    args.producerId = pick(['12', '9007199254740993', '-1']); // the eos manager's: a number or a decimal string
  else if (id < 0.7) args.producerId = pick([-1, 7]);
  if (rnd() < 0.7) args.producerEpoch = pick([0, 1, 32_767, int(100)]);
  const txn = rnd();
  if (txn < 0.3) args.transactionalId = null;
  else if (txn < 0.6) args.transactionalId = pick(['txn-1', 'tränsactional 🙂', '']);
  return args;
}

describe('fastProduceRequestV3', () => {
  it('writes exactly the bytes kafkajs writes, over 400 random requests, without kafkajs', async () => {
    const rnd = seeded(20261123);
    const { fast, stockEncodes } = instrumented();
    for (let i = 0; i < 400; i++) {
      const args = randomArgs(rnd);
      const ours = await encoded(fast(args));
      const theirs = await encoded(kafkajsRequest(args));
      expect(ours.equals(theirs)).toBe(true);
    }
    expect(stockEncodes()).toBe(0);
  });

  it('writes empty requests, topics and partitions as kafkajs does', async () => {
    const { fast, stockEncodes } = instrumented();
    for (const topicData of [[], [{ topic: 't', partitions: [] }], [{ topic: 't', partitions: [{ partition: 0, messages: [] }] }]]) {
      const args = { acks: 1, timeout: 1000, transactionalId: 'txn', topicData };
      expect((await encoded(fast(args))).equals(await encoded(kafkajsRequest(args)))).toBe(true);
    }
    expect(stockEncodes()).toBe(0);
  });

  it('returns a kafkajs Encoder holding exactly the payload', async () => {
    const { fast } = instrumented();
    const encoder = await fast({ acks: -1, timeout: 30_000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'v' }] }] }] }).encode();
    expect(encoder).toBeInstanceOf(Encoder);
    const { buf, offset } = encoder;
    expect(offset).toBe(buf.length);
    expect((encoder as EncoderLike & { size(): number }).size()).toBe(buf.length);
  });

  it("is kafkajs's request but for its encode: apiKey, apiVersion, apiName, expectResponse", () => {
    const { fast } = instrumented();
    for (const acks of [-1, 0, 1]) {
      const args = { acks, timeout: 1000, topicData: [] };
      const { encode: ourEncode, expectResponse: ourExpect, ...ours } = fast(args);
      const { encode: theirEncode, expectResponse: theirExpect, ...theirs } = kafkajsRequest(args);
      expect(ours).toEqual(theirs);
      expect(ours).toEqual({ apiKey: 0, apiVersion: 3, apiName: 'Produce' });
      expect(ourExpect()).toBe(theirExpect());
      expect(typeof ourEncode).toBe('function');
      expect(typeof theirEncode).toBe('function');
    }
  });

  it('reads message fields as an object spread does: own enumerable properties only', async () => {
    const { fast, stockEncodes } = instrumented();
    const inherited = Object.create({ key: 'inherited', headers: { h: 'inherited' } }) as Record<string, unknown>;
    inherited.value = 'own';
    const hidden = { value: 'v' };
    Object.defineProperty(hidden, 'key', { value: 'not enumerable', enumerable: false });
    const args = { acks: 1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [inherited, hidden] }] }] };
    expect((await encoded(fast(args))).equals(await encoded(kafkajsRequest(args)))).toBe(true);
    expect(stockEncodes()).toBe(0);
  });

  it("hands a compressed request to kafkajs's own encode", async () => {
    tick = 0;
    const { fast, stockEncodes } = instrumented();
    const args = { acks: -1, timeout: 1000, compression: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v'.repeat(500) }] }] }] };
    // gzip is deterministic (no name, no mtime), so the bytes are comparable too.
    expect(await outcome(() => fast(args))).toEqual(await outcome(() => kafkajsRequest(args)));
    expect(stockEncodes()).toBe(1);
  });

  it("hands what it does not handle to kafkajs's own encode, with the same result or error", async () => {
    const request = (fields: Record<string, unknown>, message: Record<string, unknown> = { value: 'v' }, partition: Record<string, unknown> = {}) => ({
      acks: -1,
      timeout: 1000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'first' }, message], ...partition }] }],
      ...fields,
    });
    const odd: ProduceRequestArgs[] = [
      request({}, { value: 'v', timestamp: Long.fromValue(NOW) }),
      request({}, { value: 'v', timestamp: NOW + 0.5 }),
      request({}, { value: 'v', timestamp: '' }),
      request({}, { value: 'v', timestamp: 'soon' }),
      request({}, { value: 'v', timestamp: ' 1700000000000' }),
      request({}, { value: 'v', timestamp: '99999999999999999999' }),
      request({}, { value: 'v', timestamp: 2 ** 60 }),
      request({}, { value: 'v', timestamp: -(2 ** 52) }),
      request({}, { value: 'v', headers: { n: null } }),
      request({}, { value: 'v', headers: { n: [null] } }),
      request({}, { value: 'v', headers: { n: 5 } }),
      request({}, { value: 'v', headers: null }),
      request({}, { key: 42, value: 'v' }),
      request({}, { value: { not: 'bytes' } }),
      request({ producerId: 1.5 }),
      request({ producerId: null }),
      request({ producerId: 'NaN' }),
      request({ producerEpoch: null }),
      request({ transactionalId: 7 }),
      request({ acks: '1' }),
      request({ timeout: undefined }),
      request({ compression: null }),
      request({}, { value: 'v' }, { partition: '3' }),
      request({}, { value: 'v' }, { firstSequence: null }),
      request({}, { value: 'v' }, { firstSequence: 2 ** 31 }),
      request({}, { value: 'v' }, { messages: 'not an array' }),
      request({ topicData: [{ topic: null, partitions: [] }] }),
      request({ topicData: [{ topic: 'x'.repeat(40_000), partitions: [] }] }),
      request({ topicData: [null] }),
      request({ topicData: null }),
    ];
    tick = 0;
    for (const args of odd) {
      const { fast, stockEncodes } = instrumented();
      expect(await outcome(() => fast(args))).toEqual(await outcome(() => kafkajsRequest(args)));
      expect(stockEncodes()).toBe(1);
    }
  });

  it('is what v4 to v7 encode, which are v3 with another apiVersion', async () => {
    const args = randomArgs(seeded(4));
    const theirs = await encoded(kafkajsRequest(args));
    for (const version of [4, 5, 6, 7]) {
      const { fast, stockEncodes } = instrumented();
      let request: ProduceRequest | undefined;
      // As the patch puts it in place: v3's module is ours by the time the later versions load it.
      jest.isolateModules(() => {
        jest.doMock('kafkajs/src/protocol/requests/produce/v3/request.js', () => fast);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        request = (require(`kafkajs/src/protocol/requests/produce/v${version}/request.js`) as ProduceRequestV3)(args);
      });
      jest.dontMock('kafkajs/src/protocol/requests/produce/v3/request.js');
      expect(request?.apiVersion).toBe(version);
      expect((await encoded(request!)).equals(theirs)).toBe(true);
      expect(stockEncodes()).toBe(0);
    }
  });
});
