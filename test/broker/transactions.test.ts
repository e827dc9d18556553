import type { Admin, Kafka, Producer } from 'kafkajs';
import type { RunningBroker } from '@agentmesh/broker';
import { ApiKey } from '../../packages/broker/src/protocol/api-keys';
import { consumeAll, eventually, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';
import { RawKafkaClient } from './support/raw-client';

/**
 * Kafka transactions on the embedded broker, driven by kafkajs's
 * transactional producer and read_committed consumers (kafkajs's default
 * isolation) over TCP: commit and abort markers, the last stable offset,
 * offsets sent to a transaction, fencing and the transaction timeout.
 */

let broker: RunningBroker;
let kafka: Kafka;
let admin: Admin;
const producers: Producer[] = [];
const raws: RawKafkaClient[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = kafkaFor(broker);
  admin = kafka.admin();
  await admin.connect();
});

afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.disconnect()));
  for (const r of raws.splice(0)) r.destroy();
});

afterAll(async () => {
  await admin.disconnect();
  await broker.stop();
});

async function topic(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await admin.createTopics({ topics: [{ topic: name, numPartitions: 1 }], waitForLeaders: true });
  return name;
}

async function transactionalProducer(transactionalId: string, transactionTimeout?: number): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, ...(transactionTimeout ? { transactionTimeout } : {}) });
  await producer.connect();
  producers.push(producer);
  return producer;
}

const values = (...vs: string[]) => vs.map((value) => ({ key: 'k', value }));

/** What a consumer of this isolation level reads from the beginning, once `count` records arrived. */
async function readValues(topicName: string, count: number, readUncommitted = false): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('txn-reader'), readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    return (await consumeAll(consumer, topicName, count)).map((m) => m.value!.toString());
  } finally {
    await consumer.disconnect();
  }
}

/** ListOffsets v2 "latest" at both isolation levels: the high watermark and the last stable offset. */
async function latestOffsets(topicName: string): Promise<{ highWatermark: number; lastStableOffset: number }> {
  const raw = await RawKafkaClient.open(broker.host, broker.port);
  raws.push(raw);
  const latest = async (isolationLevel: number) => {
    const r = await raw.request(ApiKey.ListOffsets, 2, (w) => {
      w.int32(-1).int8(isolationLevel);
      w.array([topicName], (w, t) => {
        w.string(t);
        w.array([0], (w, p) => w.int32(p).int64(-1));
      });
    });
    r.int32(); // throttle time
    const [offset] = r.array((t) => {
      t.string();
      return t.array((p) => {
        p.int32();
        expect(p.int16()).toBe(0);
        p.int64(); // timestamp
        return p.int64();
      })[0]!;
    });
    return offset!;
  };
  return { highWatermark: await latest(0), lastStableOffset: await latest(1) };
}

/** OffsetFetch v7 (flexible) with require_stable, as a read_committed librdkafka consumer sends it: partition 0's offset and error. */
async function stableOffset(groupId: string, topicName: string): Promise<{ offset: number; errorCode: number }> {
  const raw = await RawKafkaClient.open(broker.host, broker.port);
  raws.push(raw);
  const r = await raw.request(ApiKey.OffsetFetch, 7, (w) => {
    w.taggedFields(); // request header v2
    w.compactString(groupId);
    w.compactArray([topicName], (w, t) => {
      w.compactString(t);
      w.compactArray([0], (w, p) => w.int32(p));
      w.taggedFields();
    });
    w.boolean(true).taggedFields();
  });
  r.taggedFields(); // response header v1
  r.int32(); // throttle time
  const [partition] = r.compactArray((t) => {
    t.compactString();
    const partitions = t.compactArray((p) => {
      p.int32();
      const offset = p.int64();
      p.int32(); // leader epoch
      p.compactNullableString();
      const errorCode = p.int16();
      p.taggedFields();
      return { offset, errorCode };
    });
    t.taggedFields();
    return partitions[0]!;
  });
  return partition!;
}

/** DescribeTransactions v0 (flexible) of one transactional id: error, state, producer and partitions. */
async function describeTransaction(transactionalId: string) {
  const raw = await RawKafkaClient.open(broker.host, broker.port);
  raws.push(raw);
  const r = await raw.request(ApiKey.DescribeTransactions, 0, (w) => {
    w.taggedFields(); // request header v2
    w.compactArray([transactionalId], (w, id) => w.compactString(id));
    w.taggedFields();
  });
  r.taggedFields(); // response header v1
  r.int32(); // throttle time
  const [described] = r.compactArray((t) => {
    const errorCode = t.int16();
    const id = t.compactString();
    const state = t.compactString();
    const timeoutMs = t.int32();
    const started = t.int64() > 0;
    t.int64(); // producer id
    const producerEpoch = t.int16();
    const topics = t.compactArray((topic) => {
      const entry = { name: topic.compactString(), partitions: topic.compactArray((p) => p.int32()) };
      topic.taggedFields();
      return entry;
    });
    t.taggedFields();
    return { errorCode, transactionalId: id, state, timeoutMs, started, producerEpoch, topics };
  });
  return described!;
}

/** ListTransactions v0 (flexible) with state filters: the unknown filters and the ids listed. */
async function listTransactions(stateFilters: string[]) {
  const raw = await RawKafkaClient.open(broker.host, broker.port);
  raws.push(raw);
  const r = await raw.request(ApiKey.ListTransactions, 0, (w) => {
    w.taggedFields();
    w.compactArray(stateFilters, (w, s) => w.compactString(s));
    w.compactArray([], () => undefined);
    w.taggedFields();
  });
  r.taggedFields();
  r.int32();
  expect(r.int16()).toBe(0);
  const unknownStateFilters = r.compactArray((x) => x.compactString());
  const ids = r.compactArray((t) => {
    const id = t.compactString();
    t.int64();
    const state = t.compactString();
    t.taggedFields();
    return `${id}:${state}`;
  });
  return { unknownStateFilters, ids };
}

describe('transactions with kafkajs', () => {
  it('shows read_committed consumers committed records only, and read_uncommitted consumers everything', async () => {
    const name = await topic('txn-visibility');
    const producer = await transactionalProducer(uniqueName('txn-visibility'));

    const first = await producer.transaction();
    await first.send({ topic: name, messages: values('a1', 'a2') });
    await first.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: name, messages: values('b1') });
    await aborted.send({ topic: name, messages: values('b2') });
    // While it is open, the last stable offset stays at its first record.
    expect(await latestOffsets(name)).toEqual({ highWatermark: 5, lastStableOffset: 3 });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic: name, messages: values('c1') });
    await last.commit();
    // Three commit or abort markers take an offset each: a1 a2 C b1 b2 A c1 C.
    expect(await latestOffsets(name)).toEqual({ highWatermark: 8, lastStableOffset: 8 });

    // c1 follows the aborted records in the log, so a reader that let them through would see them before it.
    expect(await readValues(name, 3)).toEqual(['a1', 'a2', 'c1']);
    expect(await readValues(name, 5, true)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1']);
  });

  it('consume-transform-produce: offsets sent to a transaction reach the group when it commits, never when it aborts', async () => {
    const input = await topic('txn-ctp-in');
    const output = await topic('txn-ctp-out');
    const groupId = uniqueName('txn-ctp-group');
    const plain = kafka.producer();
    await plain.connect();
    producers.push(plain);
    await plain.send({ topic: input, messages: values('0', '1', '2', '3', '4', '5') });

    /** The group's consumer reads what is left from its committed offset (earliest when none); only transactions commit offsets. */
    const readInput = async (count: number) => {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [input], fromBeginning: true });
        const got: Array<{ value: Buffer | null; offset: string }> = [];
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`read ${got.length} of ${count} input records`)), 20_000);
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ message }) => {
                got.push({ value: message.value, offset: message.offset });
                if (got.length === count) {
                  clearTimeout(timer);
                  resolve();
                }
              },
            })
            .catch(reject);
        });
        return got;
      } finally {
        await consumer.disconnect();
      }
    };
    const transform = async (producer: Producer, records: Array<{ value: Buffer | null; offset: string }>, commit: boolean) => {
      const txn = await producer.transaction();
      await txn.send({ topic: output, messages: records.map((r) => ({ value: `x${r.value!.toString()}` })) });
      const next = String(Number(records[records.length - 1]!.offset) + 1);
      await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: next }] }] });
      if (commit) await txn.commit();
      else await txn.abort();
    };
    const committedOffset = async () => (await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions[0]!.offset;

    const producer = await transactionalProducer(uniqueName('txn-ctp'));
    const all = await readInput(6);
    // While a transaction holds an offset for the partition, a consumer asking for stable offsets is told to retry.
    const pending = await producer.transaction();
    await pending.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '1' }] }] });
    expect(await stableOffset(groupId, input)).toEqual({ offset: -1, errorCode: 88 }); // UNSTABLE_OFFSET_COMMIT
    await pending.abort();
    expect(await stableOffset(groupId, input)).toEqual({ offset: -1, errorCode: 0 });
    await transform(producer, all.slice(0, 3), true);
    expect(await committedOffset()).toBe('3');
    await transform(producer, all.slice(3), false);
    expect(await committedOffset()).toBe('3');

    // The group resumes where the committed transaction left it, and does the rest again.
    const rest = await readInput(3);
    expect(rest.map((m) => m.offset)).toEqual(['3', '4', '5']);
    await transform(producer, rest, true);
    expect(await committedOffset()).toBe('6');
    expect(await readValues(output, 6)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5']);
  });

  it('fences the older instance of a transactional id: its open transaction is aborted and its commit refused', async () => {
    const name = await topic('txn-fencing');
    const transactionalId = uniqueName('txn-fencing');
    const zombie = await transactionalProducer(transactionalId);
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic: name, messages: values('zombie') });

    // kafkajs sends InitProducerId when the first transaction begins: that fences the zombie.
    const successor = await transactionalProducer(transactionalId);
    const txn = await successor.transaction();
    await expect(zombieTxn.commit()).rejects.toThrow(/epoch/i);

    await txn.send({ topic: name, messages: values('live') });
    await txn.commit();
    expect(await readValues(name, 1)).toEqual(['live']);
    expect(await readValues(name, 2, true)).toEqual(['zombie', 'live']);
  });

  it('describes and lists transactional ids with their state (DescribeTransactions, ListTransactions)', async () => {
    const name = await topic('txn-describe');
    const transactionalId = uniqueName('txn-describe');
    const producer = await transactionalProducer(transactionalId);
    const txn = await producer.transaction();
    await txn.send({ topic: name, messages: values('d1') });
    expect(await describeTransaction(transactionalId)).toEqual({
      errorCode: 0,
      transactionalId,
      state: 'Ongoing',
      timeoutMs: 60_000,
      started: true,
      producerEpoch: 0,
      topics: [{ name, partitions: [0] }],
    });
    expect((await listTransactions(['Ongoing', 'Sideways'])).unknownStateFilters).toEqual(['Sideways']);
    expect((await listTransactions(['Ongoing'])).ids).toContain(`${transactionalId}:Ongoing`);
    await txn.commit();
    expect((await describeTransaction(transactionalId)).state).toBe('CompleteCommit');
    expect((await listTransactions(['Ongoing'])).ids).not.toContain(`${transactionalId}:Ongoing`);
    expect((await describeTransaction('no-such-transactional-id')).errorCode).toBe(105); // TRANSACTIONAL_ID_NOT_FOUND
  });

  it('aborts a transaction left open past its timeout and fences its producer', async () => {
    const name = await topic('txn-timeout');
    const transactionalId = uniqueName('txn-timeout');
    const slow = await transactionalProducer(transactionalId, 1_000);
    const txn = await slow.transaction();
    await txn.send({ topic: name, messages: values('expired') });
    expect(await latestOffsets(name)).toEqual({ highWatermark: 1, lastStableOffset: 0 });

    // The abort marker moves the last stable offset past the expired record.
    await eventually(async () => ((await latestOffsets(name)).lastStableOffset === 2 ? true : undefined), 'the timed-out transaction to be aborted', 10_000, 100);
    await expect(txn.commit()).rejects.toThrow(/epoch/i);

    const fresh = await transactionalProducer(transactionalId);
    const next = await fresh.transaction();
    await next.send({ topic: name, messages: values('after') });
    await next.commit();
    expect(await readValues(name, 1)).toEqual(['after']);
  });
});
