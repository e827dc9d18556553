import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Admin } from 'kafkajs';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { ErrorCode } from '../../packages/broker/src/protocol/errors';
import { buildRecordBatch } from '../../packages/broker/src/protocol/record-batch-builder';
import type { Reader } from '../../packages/broker/src/protocol/reader';
import { consumeAll, kafkaFor } from '../support/kafka';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process';
import { RawKafkaClient } from './support/raw-client';

/**
 * An idempotent producer's retry across a broker crash: the broker appends a
 * batch and is killed (kill -9 of `mesh broker --data-dir`) before the
 * producer saw the answer; the producer sends the very same batch to the
 * restarted broker. Kafka's answer, and ours: a duplicate, acknowledged with
 * the original offset and stored once, because the producer state is rebuilt
 * from the log.
 */

const TOPIC = 'idempotence.restart-v1_test';

let dataDir: string;
const brokers: BrokerProcess[] = [];
const raws: RawKafkaClient[] = [];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idempotence-restart-'));
});

afterEach(async () => {
  for (const r of raws.splice(0)) r.destroy();
  await Promise.all(brokers.splice(0).map((b) => b.kill9()));
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

async function startBroker(): Promise<BrokerProcess> {
  const b = await startBrokerProcess(dataDir);
  brokers.push(b);
  return b;
}

async function rawClient(b: BrokerProcess): Promise<RawKafkaClient> {
  const r = await RawKafkaClient.open(b.host, b.port);
  raws.push(r);
  return r;
}

function expectConsumed(r: Reader): void {
  if (r.remaining !== 0) throw new Error(`response has ${r.remaining} unread bytes`);
}

/** InitProducerId v0 without a transactional id, as an idempotent producer starts. */
async function initProducerId(raw: RawKafkaClient): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
  const r = await raw.request(ApiKey.InitProducerId, 0, (w) => w.nullableString(null).int32(60_000));
  r.int32(); // throttle time
  const result = { errorCode: r.int16(), producerId: r.int64(), producerEpoch: r.int16() };
  expectConsumed(r);
  return result;
}

interface ProduceResult {
  errorCode: number;
  baseOffset: number;
}

/** Produce v7, acks -1, exactly the bytes given for partition 0 of TOPIC. */
async function produce(raw: RawKafkaClient, records: Buffer): Promise<ProduceResult> {
  const r = await raw.request(ApiKey.Produce, 7, (w) => {
    w.nullableString(null).int16(-1).int32(10_000);
    w.array([TOPIC], (w2, topic) => {
      w2.string(topic);
      w2.array([0], (w3, partition) => w3.int32(partition).bytes(records));
    });
  });
  const [partition] = r.array((t) => {
    expect(t.string()).toBe(TOPIC);
    return t.array((p) => {
      expect(p.int32()).toBe(0);
      const result = { errorCode: p.int16(), baseOffset: p.int64() };
      p.int64(); // log append time
      p.int64(); // log start offset
      return result;
    });
  })[0]!;
  r.int32(); // throttle time
  expectConsumed(r);
  return partition!;
}

async function highWatermark(admin: Admin): Promise<number> {
  const [p] = await admin.fetchTopicOffsets(TOPIC);
  return Number(p!.high);
}

describe('idempotent produce retried across kill -9 of the broker', () => {
  it('answers the retry of a batch appended before the kill as a duplicate with its original offset, stores it once, and keeps checking sequences', async () => {
    // ---- first life -------------------------------------------------------------
    const b1 = await startBroker();
    const admin1 = kafkaFor(b1).admin();
    await admin1.connect();
    // Small segments, so the producer's window spans several segment files.
    await admin1.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '200' }] }], waitForLeaders: true });
    await admin1.disconnect();

    const raw1 = await rawClient(b1);
    const { errorCode, producerId, producerEpoch } = await initProducerId(raw1);
    expect(errorCode).toBe(ErrorCode.NONE);
    const batch = (baseSequence: number, ...values: string[]) =>
      buildRecordBatch({ producerId, producerEpoch, baseSequence, records: values.map((value) => ({ key: 'k', value, timestamp: Date.now() })) });

    const first = batch(0, 'one', 'two');
    expect(await produce(raw1, first)).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    // Another client's plain batch in between.
    expect(await produce(raw1, buildRecordBatch({ records: [{ key: 'other', value: 'plain', timestamp: Date.now() }] }))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(await produce(raw1, batch(2, 'three'))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 3 });
    // The broker appends this one, then dies before the producer takes in the answer.
    const inFlight = batch(3, 'four', 'five');
    expect(await produce(raw1, inFlight)).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 4 });
    await b1.kill9();

    // ---- second life on the same data dir ------------------------------------------
    const b2 = await startBroker();
    const raw2 = await rawClient(b2);
    const admin2 = kafkaFor(b2).admin();
    await admin2.connect();
    try {
      expect(await highWatermark(admin2)).toBe(6);

      // The producer retries the very same bytes: a duplicate, answered with the original offset.
      expect(await produce(raw2, inFlight)).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 4 });
      // So is a retry of an older batch still among the last five.
      expect(await produce(raw2, first)).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 });
      expect(await highWatermark(admin2)).toBe(6);

      // Sequences are still checked: a gap is refused, the next sequence is appended.
      expect((await produce(raw2, batch(7, 'gap'))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(await produce(raw2, batch(5, 'six'))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 6 });
      // A sequence that overlaps stored batches without being one of them.
      expect((await produce(raw2, batch(4, 'five again'))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      expect(await highWatermark(admin2)).toBe(7);

      // A producer started after the restart gets an id of its own, not the old producer's window.
      const fresh = await initProducerId(raw2);
      expect(fresh.producerId).toBeGreaterThan(producerId);

      // Every record once, in order.
      const consumer = kafkaFor(b2).consumer({ groupId: 'idempotence-verify', maxWaitTimeInMs: 200 });
      await consumer.connect();
      try {
        const got = await consumeAll(consumer, TOPIC, 7);
        expect(got.map((m) => [Number(m.offset), m.value!.toString()])).toEqual([
          [0, 'one'],
          [1, 'two'],
          [2, 'plain'],
          [3, 'three'],
          [4, 'four'],
          [5, 'five'],
          [6, 'six'],
        ]);
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await admin2.disconnect();
    }
  }, 90_000);
});
