import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import pino from 'pino';
import { FileTxnLog } from '../../packages/broker/src/transactions/txn-log';
import { consumeAll, kafkaFor, uniqueName } from '../support/kafka';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process';

/**
 * Transactions across kill -9 of the broker (`mesh broker --data-dir` as a
 * child process): a transaction open at the crash is aborted when the broker
 * starts again, one whose commit was decided and logged is completed, and
 * read_committed readers see every committed record exactly once, also after
 * a further restart rebuilt the partitions' transaction state from the log.
 */

const TOPIC = 'txn.restart_test';
const GROUP = 'txn-restart-group';
const TRANSACTIONAL_ID = 'txn-restart-producer';

let dataDir: string;
const brokers: BrokerProcess[] = [];
const producers: Producer[] = [];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'txn-restart-'));
});

afterEach(async () => {
  // Producers of a killed broker may fail to say goodbye; that is not what these tests check.
  await Promise.all(producers.splice(0).map((p) => p.disconnect().catch(() => undefined)));
  await Promise.all(brokers.splice(0).map((b) => b.kill9()));
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

async function startBroker(): Promise<{ broker: BrokerProcess; kafka: Kafka }> {
  const broker = await startBrokerProcess(dataDir);
  brokers.push(broker);
  return { broker, kafka: kafkaFor(broker) };
}

async function transactionalProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ transactionalId: TRANSACTIONAL_ID, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  producers.push(producer);
  return producer;
}

const values = (...vs: string[]) => vs.map((value) => ({ key: 'k', value }));

async function readValues(kafka: Kafka, count: number, readUncommitted = false): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('txn-restart-reader'), readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    return (await consumeAll(consumer, TOPIC, count)).map((m) => m.value!.toString());
  } finally {
    await consumer.disconnect();
  }
}

async function committedOffset(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }))[0]!.partitions[0]!.offset;
  } finally {
    await admin.disconnect();
  }
}

/** kafkajs's admin lists offsets read_committed: its "high" is the last stable offset. */
async function lastStableOffset(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(TOPIC))[0]!.high;
  } finally {
    await admin.disconnect();
  }
}

/** First life: one committed transaction, then one left open (records and offsets sent), then kill -9. */
async function crashWithOpenTransaction(): Promise<void> {
  const { broker, kafka } = await startBroker();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = await transactionalProducer(kafka);
  const committed = await producer.transaction();
  await committed.send({ topic: TOPIC, messages: values('c1', 'c2') });
  await committed.commit();
  const open = await producer.transaction();
  await open.send({ topic: TOPIC, messages: values('o1', 'o2') });
  await open.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset: '2' }] }] });
  await broker.kill9();
}

describe('transactions across kill -9 of the broker', () => {
  it('aborts the transaction open at the crash; its redo is visible once, also after another restart', async () => {
    await crashWithOpenTransaction();

    const second = await startBroker();
    // Aborted at start-up, not left to a timeout: the marker is there before any client asks (c1 c2 C o1 o2 A).
    expect(await lastStableOffset(second.kafka)).toBe('6');
    // The open transaction's records are aborted, and the offsets it carried never reached the group.
    expect(await readValues(second.kafka, 2)).toEqual(['c1', 'c2']);
    expect(await committedOffset(second.kafka)).toBe('-1');
    // The producer starts again under the same transactional id and does the work again.
    const producer = await transactionalProducer(second.kafka);
    const redo = await producer.transaction();
    await redo.send({ topic: TOPIC, messages: values('o1', 'o2') });
    await redo.commit();
    expect(await readValues(second.kafka, 4)).toEqual(['c1', 'c2', 'o1', 'o2']);
    await second.broker.kill9();

    // A third life rebuilds the aborted transaction from the log alone.
    const third = await startBroker();
    expect(await readValues(third.kafka, 4)).toEqual(['c1', 'c2', 'o1', 'o2']);
    expect(await readValues(third.kafka, 6, true)).toEqual(['c1', 'c2', 'o1', 'o2', 'o1', 'o2']);
    const again = await (await transactionalProducer(third.kafka)).transaction();
    await again.send({ topic: TOPIC, messages: values('n1') });
    await again.commit();
    expect(await readValues(third.kafka, 5)).toEqual(['c1', 'c2', 'o1', 'o2', 'n1']);
  }, 90_000);

  it('completes a commit that was decided and logged when the broker died before writing its markers', async () => {
    await crashWithOpenTransaction();
    // The crash hit between logging the decision and carrying it out: the log says PrepareCommit.
    const txnLog = new FileTxnLog(dataDir, pino({ level: 'silent' }));
    const open = txnLog.load().find((m) => m.transactionalId === TRANSACTIONAL_ID)!;
    expect(open.state).toBe('Ongoing');
    txnLog.save({ ...open, state: 'PrepareCommit' });
    txnLog.close();

    const second = await startBroker();
    expect(await readValues(second.kafka, 4)).toEqual(['c1', 'c2', 'o1', 'o2']);
    expect(await committedOffset(second.kafka)).toBe('2');
  }, 90_000);
});
