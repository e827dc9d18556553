import { CompressionTypes, type Kafka } from 'kafkajs';
import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { buildRecordBatch } from '../../packages/broker/src/protocol/record-batch-builder';
import type { Reader } from '../../packages/broker/src/protocol/reader';
import type { Writer } from '../../packages/broker/src/protocol/writer';
import { consumeAll, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient } from './support/raw-client';

// Produce and Fetch as kafkajs and a raw protocol client see them: acks, compression,
// headers, null keys and values, large messages, idempotence, CRC checks, long polling.

let broker: RunningBroker;
let kafka: Kafka;
let raw: RawKafkaClient;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = kafkaFor(broker);
  raw = await RawKafkaClient.open(broker.host, broker.port);
});

afterAll(async () => {
  raw.destroy();
  await broker.stop();
});

async function createTopic(partitions = 1, configs: Record<string, string> = {}): Promise<string> {
  const topic = uniqueName('pf');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
  await admin.disconnect();
  return topic;
}

async function roundTrip(topic: string, count: number) {
  const consumer = kafka.consumer({ groupId: uniqueName('g'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    return await consumeAll(consumer, topic, count);
  } finally {
    await consumer.disconnect();
  }
}

interface RawProduceResult {
  errorCode: number;
  baseOffset: number;
}

/** Produce v7 with exactly the batch given, as a client would send it. */
async function rawProduce(topic: string, partition: number, records: Buffer, acks = -1): Promise<RawProduceResult> {
  const r = await raw.request(ApiKey.Produce, 7, (w: Writer) => {
    w.nullableString(null).int16(acks).int32(5000);
    w.array([0], (w2) => {
      w2.string(topic);
      w2.array([0], (w3) => w3.int32(partition).bytes(records));
    });
  });
  r.int32(); // topic count
  r.string();
  r.int32(); // partition count
  r.int32(); // partition
  const errorCode = r.int16();
  return { errorCode, baseOffset: r.int64() };
}

interface RawFetchPartition {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer;
}

async function rawFetch(topic: string, partition: number, offset: number, maxWaitMs = 0, isolationLevel = 1): Promise<RawFetchPartition> {
  const r: Reader = await raw.request(ApiKey.Fetch, 11, (w: Writer) => {
    w.int32(-1)
      .int32(maxWaitMs)
      .int32(1)
      .int32(1024 * 1024)
      .int8(isolationLevel)
      .int32(0)
      .int32(-1);
    w.array([0], (w2) => {
      w2.string(topic);
      w2.array([0], (w3) =>
        w3
          .int32(partition)
          .int32(-1)
          .int64(offset)
          .int64(-1)
          .int32(1024 * 1024),
      );
    });
    w.array([], () => undefined);
    w.string('');
  });
  r.int32(); // throttle
  r.int16(); // top-level error
  r.int32(); // session id
  r.int32(); // topics
  r.string();
  r.int32(); // partitions
  r.int32(); // partition index
  const errorCode = r.int16();
  const highWatermark = r.int64();
  const lastStableOffset = r.int64();
  const logStartOffset = r.int64();
  r.nullableArray((a) => [a.int64(), a.int64()]); // aborted transactions
  r.int32(); // preferred read replica
  const records = r.nullableBytes() ?? Buffer.alloc(0);
  return { errorCode, highWatermark, lastStableOffset, logStartOffset, records: Buffer.from(records) };
}

describe('produce and fetch with kafkajs', () => {
  it.each([
    ['acks -1', -1],
    ['acks 1', 1],
    ['acks 0', 0],
  ])('delivers every message with %s', async (_label, acks) => {
    const topic = await createTopic(3);
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, acks, messages });
    await producer.disconnect();
    const got = await roundTrip(topic, messages.length);
    expect(got.map((m) => m.value!.toString()).sort()).toEqual(messages.map((m) => m.value).sort());
  });

  it('round-trips gzip-compressed batches, which the broker stores compressed', async () => {
    const topic = await createTopic(1);
    const producer = kafka.producer();
    await producer.connect();
    const value = 'compressible '.repeat(200);
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value })) });
    await producer.disconnect();
    const stored = await rawFetch(topic, 0, 0);
    expect(stored.records.readInt16BE(21) & 0x07).toBe(1); // gzip codec bit kept as sent
    expect(stored.records.length).toBeLessThan((20 * value.length) / 4);
    const got = await roundTrip(topic, 20);
    expect(got.every((m) => m.value!.toString() === value)).toBe(true);
  });

  it('keeps headers, null keys and null values', async () => {
    const topic = await createTopic(1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: null, value: 'no key', headers: { 'mesh-event-id': 'e1', traceparent: '00-abc-def-01' } },
        { key: 'tombstone', value: null },
        { key: 'both', value: 'set', headers: { empty: '' } },
      ],
    });
    await producer.disconnect();
    const got = await roundTrip(topic, 3);
    expect(got[0]).toMatchObject({ key: null, headers: { 'mesh-event-id': 'e1', traceparent: '00-abc-def-01' } });
    expect(got[0]!.value!.toString()).toBe('no key');
    expect(got[1]!.key!.toString()).toBe('tombstone');
    expect(got[1]!.value).toBeNull();
    expect(got[2]!.headers).toEqual({ empty: '' });
  });

  it('carries 1 MiB messages on a topic that allows them, and refuses them by default like Kafka', async () => {
    const big = Buffer.alloc(1024 * 1024, 7);
    big.write('start');
    const roomy = await createTopic(1, { 'max.message.bytes': String(4 * 1024 * 1024) });
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    await producer.send({
      topic: roomy,
      messages: [
        { key: 'big', value: big },
        { key: 'big2', value: big },
      ],
    });
    const strict = await createTopic(1);
    await expect(producer.send({ topic: strict, messages: [{ key: 'big', value: big }] })).rejects.toThrow(/too large|larger than/i);
    await producer.disconnect();
    const got = await roundTrip(roomy, 2);
    expect(got.map((m) => m.value!.equals(big))).toEqual([true, true]);
  });

  it('lists offsets: earliest, latest and by timestamp', async () => {
    const topic = await createTopic(1);
    const producer = kafka.producer();
    await producer.connect();
    const t0 = Date.now();
    await producer.send({
      topic,
      messages: [
        { value: 'a', timestamp: String(t0 - 10_000) },
        { value: 'b', timestamp: String(t0 - 5_000) },
      ],
    });
    await producer.send({ topic, messages: [{ value: 'c', timestamp: String(t0) }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, t0 - 7_000)).toEqual([{ partition: 0, offset: '1' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, t0 - 1)).toEqual([{ partition: 0, offset: '2' }]);
    await admin.disconnect();
  });
});

describe('produce and fetch at the protocol level', () => {
  it('answers a duplicate idempotent batch with its original offset and appends it once', async () => {
    const topic = await createTopic(1);
    const batch = (seq: number, value: string) => buildRecordBatch({ producerId: 4242, producerEpoch: 0, baseSequence: seq, records: [{ key: 'k', value }] });
    expect(await rawProduce(topic, 0, batch(0, 'first'))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await rawProduce(topic, 0, batch(1, 'second'))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 1 });
    // A retry of the first batch (same sequence) must not be appended again.
    expect(await rawProduce(topic, 0, batch(0, 'first'))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await rawProduce(topic, 0, batch(5, 'gap'))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(await rawProduce(topic, 0, batch(2, 'third'))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    const { highWatermark } = await rawFetch(topic, 0, 0);
    expect(highWatermark).toBe(3);
  });

  it('refuses a stale producer epoch', async () => {
    const topic = await createTopic(1);
    const batch = (epoch: number, seq: number) => buildRecordBatch({ producerId: 77, producerEpoch: epoch, baseSequence: seq, records: [{ key: 'k', value: 'v' }] });
    expect((await rawProduce(topic, 0, batch(3, 0))).errorCode).toBe(ErrorCode.NONE);
    expect((await rawProduce(topic, 0, batch(2, 1))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('answers CORRUPT_MESSAGE for a batch whose CRC does not match, and stores nothing', async () => {
    const topic = await createTopic(1);
    const batch = buildRecordBatch({ records: [{ key: 'k', value: 'payload' }] });
    batch[batch.length - 2] ^= 0xff;
    expect((await rawProduce(topic, 0, batch)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect((await rawFetch(topic, 0, 0)).highWatermark).toBe(0);
  });

  it('rewrites the base offset and serves the batch back byte for byte otherwise', async () => {
    const topic = await createTopic(1);
    await rawProduce(
      topic,
      0,
      buildRecordBatch({
        records: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      }),
    );
    const sent = buildRecordBatch({ baseOffset: 999, records: [{ key: 'c', value: '3' }] });
    expect(await rawProduce(topic, 0, sent)).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    const fetched = await rawFetch(topic, 0, 2);
    expect(Number(fetched.records.readBigInt64BE(0))).toBe(2);
    expect(fetched.records.subarray(12 + 4)).toEqual(sent.subarray(12 + 4)); // everything after offset and leader epoch
  });

  it('reports high watermark, last stable offset and OFFSET_OUT_OF_RANGE', async () => {
    const topic = await createTopic(1);
    await rawProduce(
      topic,
      0,
      buildRecordBatch({
        records: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      }),
    );
    const ok = await rawFetch(topic, 0, 0);
    expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2, lastStableOffset: 2, logStartOffset: 0 });
    expect((await rawFetch(topic, 0, 3)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await rawFetch(uniqueName('missing'), 0, 0)).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('holds a fetch at the log end until a produce arrives (long polling)', async () => {
    const topic = await createTopic(1);
    const other = await RawKafkaClient.open(broker.host, broker.port);
    try {
      const started = Date.now();
      const waiting = rawFetch(topic, 0, 0, 20_000);
      // Produce on a second connection: the held fetch must wake at once, not at its 20 s deadline.
      await other.request(ApiKey.Produce, 7, (w: Writer) => {
        w.nullableString(null).int16(1).int32(5000);
        w.array([0], (w2) => {
          w2.string(topic);
          w2.array([0], (w3) => w3.int32(0).bytes(buildRecordBatch({ records: [{ key: 'k', value: 'wake' }] })));
        });
      });
      const woke = await waiting;
      expect(woke.records.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      other.destroy();
    }
  });
});
