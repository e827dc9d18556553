import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompressionTypes, Kafka, logLevel, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process';

/**
 * The broker's durability promise, end to end: a produce acknowledged with
 * acks -1 and an acknowledged offset commit survive `kill -9` of the broker
 * process and a restart on the same data dir.
 */

const TOPIC = 'persist.events-v1_test';
const PARTITIONS = 3;
const GROUP = 'persist-group';

interface Message {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

interface Consumed extends Message {
  partition: number;
  offset: number;
}

let dataDir: string;
const brokers: BrokerProcess[] = [];
const clients: Array<Producer | Consumer | Admin> = [];

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'persistence-e2e-'));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => within(15_000, 'client disconnect', c.disconnect()).catch(() => undefined)));
  await Promise.all(brokers.splice(0).map((b) => b.kill9()));
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** Bounds a wait, naming what did not happen. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function startBroker(): Promise<BrokerProcess> {
  const b = await startBrokerProcess(dataDir);
  brokers.push(b);
  return b;
}

function kafkaFor(b: BrokerProcess, retries = 5): Kafka {
  return new Kafka({ clientId: 'persistence-test', brokers: [b.address], logLevel: logLevel.NOTHING, retry: { retries, initialRetryTime: 100 } });
}

function track<T extends Producer | Consumer | Admin>(client: T): T {
  clients.push(client);
  return client;
}

/** Disconnects a client whose broker was killed; it has nothing to flush, so errors do not matter. */
async function drop(client: Producer | Consumer | Admin): Promise<void> {
  clients.splice(clients.indexOf(client), 1);
  await within(15_000, 'disconnect', client.disconnect()).catch(() => undefined);
}

function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = String(v);
  return out;
}

/**
 * Joins `groupId`, subscribes from the beginning (for a group without
 * commits) and collects messages until `count` arrived. Leaves the consumer
 * running, so the caller can commit.
 */
async function consume(kafka: Kafka, groupId: string, count: number): Promise<{ consumer: Consumer; messages: Consumed[] }> {
  const consumer = track(kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 }));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const messages: Consumed[] = [];
  await within(
    40_000,
    `${count} messages for group ${groupId}`,
    new Promise<void>((resolve) => {
      if (count === 0) resolve();
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          messages.push({
            partition,
            offset: Number(message.offset),
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: headersOf(message.headers),
          });
          if (messages.length === count) resolve();
        },
      });
    }),
  );
  return { consumer, messages };
}

const byPartition = (messages: Consumed[], partition: number): Consumed[] => messages.filter((m) => m.partition === partition);
const strip = ({ key, value, headers }: Message): Message => ({ key, value, headers });

describe('persistence across kill -9', () => {
  it('keeps every acknowledged message, in order, and the committed offsets', async () => {
    // ---- first life -------------------------------------------------------------
    const b1 = await startBroker();
    const kafka1 = kafkaFor(b1);
    const admin1 = track(kafka1.admin());
    await admin1.connect();
    // Small segments, so the log spans many segment files per partition.
    await admin1.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS, configEntries: [{ name: 'segment.bytes', value: '2048' }] }], waitForLeaders: true });

    const producer1 = track(kafka1.producer());
    await producer1.connect();
    const expected: Message[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let round = 0; round < 10; round++) {
      const messages = Array.from({ length: 30 }, (_, i) => {
        const n = round * 30 + i;
        const partition = n % PARTITIONS;
        const msg: Message = { key: n % 7 === 0 ? null : `key-${n % 11}`, value: n % 13 === 0 ? null : `value-${n}-${'x'.repeat(n % 50)}`, headers: n % 5 === 0 ? { n: String(n) } : {} };
        expected[partition]!.push(msg);
        return { partition, key: msg.key, value: msg.value, headers: msg.headers };
      });
      await producer1.send({ topic: TOPIC, acks: -1, compression: round % 2 === 0 ? CompressionTypes.GZIP : CompressionTypes.None, messages });
    }

    // A group reads everything and commits its positions (with metadata).
    const total = expected.reduce((n, p) => n + p.length, 0);
    const first = await consume(kafka1, GROUP, total);
    const committed = [10, 55, expected[2]!.length];
    await first.consumer.commitOffsets(committed.map((offset, partition) => ({ topic: TOPIC, partition, offset: String(offset), metadata: `checkpoint-${partition}` })));
    const before = await admin1.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    expect(before[0]!.partitions.map((p) => Number(p.offset)).sort()).toEqual([...committed].sort());
    await drop(first.consumer);

    // The last acknowledged produce is followed at once by the kill.
    const last: Message = { key: 'last', value: 'acknowledged right before kill -9', headers: {} };
    await producer1.send({ topic: TOPIC, acks: -1, messages: [{ partition: 1, key: last.key, value: last.value }] });
    expected[1]!.push(last);
    await b1.kill9();
    await drop(producer1);
    await drop(admin1);

    // ---- second life on the same data dir ------------------------------------------
    const b2 = await startBroker();
    const kafka2 = kafkaFor(b2);
    const admin2 = track(kafka2.admin());
    await admin2.connect();

    const ends = await admin2.fetchTopicOffsets(TOPIC);
    expect(ends.sort((a, b) => a.partition - b.partition).map((p) => Number(p.high))).toEqual(expected.map((p) => p.length));

    const offsets = await admin2.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const kept = offsets[0]!.partitions.sort((a, b) => a.partition - b.partition);
    expect(kept.map((p) => Number(p.offset))).toEqual(committed);
    expect(kept.map((p) => p.metadata)).toEqual(['checkpoint-0', 'checkpoint-1', 'checkpoint-2']);

    // Every message back, in order, with keys, values and headers.
    const everything = await consume(kafka2, 'verify-all', total + 1);
    for (let p = 0; p < PARTITIONS; p++) {
      const got = byPartition(everything.messages, p);
      expect(got.map((m) => m.offset)).toEqual(expected[p]!.map((_, i) => i));
      expect(got.map(strip)).toEqual(expected[p]);
    }
    await drop(everything.consumer);

    // The group resumes exactly where it committed.
    const remaining = expected.reduce((n, p, i) => n + p.length - committed[i]!, 0);
    const resumed = await consume(kafka2, GROUP, remaining);
    for (let p = 0; p < PARTITIONS; p++) {
      expect(byPartition(resumed.messages, p).map((m) => m.offset)).toEqual(expected[p]!.map((_, i) => i).slice(committed[p]));
    }

    // New appends continue after the recovered log end.
    const producer2 = track(kafka2.producer());
    await producer2.connect();
    const [meta] = await producer2.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, key: 'after', value: 'restart' }] });
    expect(Number(meta!.baseOffset)).toBe(expected[0]!.length);
  }, 120_000);

  it('loses no acknowledged message when killed in the middle of a stream of produces', async () => {
    const b1 = await startBroker();
    const kafka1 = kafkaFor(b1, 0);
    const admin1 = track(kafka1.admin());
    await admin1.connect();
    await admin1.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '4096' }] }], waitForLeaders: true });
    await drop(admin1);

    const producer = track(kafka1.producer({ retry: { retries: 0 }, idempotent: false }));
    await producer.connect();
    const acknowledged: string[] = [];
    let killed: Promise<void> | undefined;
    for (let n = 0; n < 100_000; n++) {
      const value = `message-${n}`;
      try {
        await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: `k${n % 3}`, value }] });
      } catch {
        break; // the broker is gone
      }
      acknowledged.push(value);
      // The kill races the next produce, which may or may not be stored; every acknowledged one must be.
      if (acknowledged.length === 300) killed = b1.kill9();
    }
    expect(killed).toBeDefined();
    await killed;
    await drop(producer);

    const b2 = await startBroker();
    const kafka2 = kafkaFor(b2);
    const admin2 = track(kafka2.admin());
    await admin2.connect();
    const [end] = await admin2.fetchTopicOffsets(TOPIC);
    const stored = Number(end!.high);
    expect(stored).toBeGreaterThanOrEqual(acknowledged.length);
    expect(stored).toBeLessThanOrEqual(acknowledged.length + 1);
    const { messages } = await consume(kafka2, 'verify-stream', stored);
    expect(messages.slice(0, acknowledged.length).map((m) => m.value)).toEqual(acknowledged);
    expect(messages.map((m) => m.offset)).toEqual(messages.map((_, i) => i));
  }, 120_000);
});
