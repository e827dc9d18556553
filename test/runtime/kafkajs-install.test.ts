import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { kafkajsPathsStatus, type KafkajsPathsStatus } from '@agentmesh/kafkajs-paths';
import { consumeAll, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';

// kafkajs's own murmur2: where its DefaultPartitioner, and Kafka's Java client, put a key.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

// Our kafkajs paths (packages/kafkajs-paths) are put in place by kafkajs's own files, as patched by
// patches/kafkajs+2.2.4.patch. Checked where users run them, a plain Node process with the built
// packages, and under jest, where the end-to-end suites run.
const FIXTURE = resolve(__dirname, 'fixtures/kafkajs-roundtrip.js');
const PATHS = ['recordEncoder', 'recordDecoder', 'groupMessagesPerPartition', 'defaultPartitioner', 'produceRequestV3', 'requestFrame', 'requestQueue'] as const;
const all = (state: string) => Object.fromEntries(PATHS.map((path) => [path, state]));

interface RoundTrip {
  pathsModule: string;
  loaded: KafkajsPathsStatus;
  status: KafkajsPathsStatus;
  sent: Array<{ key: string; value: string; headers: Record<string, string> }>;
  received: Array<{ partition: number; key: string; value: string; headers: Record<string, string> }>;
}

let broker: TestKafka;
beforeAll(async () => {
  broker = await testKafka();
});
afterAll(() => broker.stop());

/** The fixture in a Node process of its own, with this process's environment but MESH_KAFKAJS as `meshKafkajs` says. */
async function roundTrip(meshKafkajs?: string): Promise<RoundTrip> {
  const env = { ...process.env };
  delete env.MESH_KAFKAJS;
  if (meshKafkajs !== undefined) env.MESH_KAFKAJS = meshKafkajs;
  const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, broker.address, uniqueName('install')], { env, timeout: 60_000 });
  return JSON.parse(stdout) as RoundTrip;
}

function expectSameRecordsWhereKafkaPutsThem({ sent, received }: Pick<RoundTrip, 'sent' | 'received'>): void {
  const byKey = new Map(received.map((r) => [r.key, r]));
  expect(byKey.size).toBe(sent.length);
  for (const record of sent) {
    const got = byKey.get(record.key);
    expect({ key: record.key, value: got?.value, headers: got?.headers }).toEqual(record);
    expect([record.key, got?.partition]).toEqual([record.key, (kafkajsMurmur2(record.key) & 0x7fffffff) % 3]);
  }
}

describe('our kafkajs paths in a plain Node process', () => {
  it('are all in place with kafkajs required before the runtime, and records keep their bytes and partitions', async () => {
    const result = await roundTrip();
    expect(result.pathsModule).toBe(resolve(__dirname, '../../packages/kafkajs-paths/dist/index.js'));
    // Those kafkajs binds as it loads are in place at once; the record codecs and the produce request at first use.
    expect(result.loaded).toEqual({ ...all('in-place'), recordEncoder: 'not-loaded', recordDecoder: 'not-loaded', produceRequestV3: 'not-loaded' });
    expect(result.status).toEqual(all('in-place'));
    expectSameRecordsWhereKafkaPutsThem(result);
  }, 90_000);

  it("are all left kafkajs's own with MESH_KAFKAJS=stock, with the same records in the same partitions", async () => {
    const result = await roundTrip('stock');
    expect(result.status).toEqual(all('stock'));
    expectSameRecordsWhereKafkaPutsThem(result);
  }, 90_000);
});

describe('our kafkajs paths under jest, as the end-to-end suites run', () => {
  it('are in place (all stock with MESH_KAFKAJS=stock) once a producer has sent a record and it is read back', async () => {
    const kafka = kafkaFor(broker);
    const topic = uniqueName('paths-under-jest');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'inv-000001', value: 'v', headers: { 'mesh-event-id': 'id-1' } }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 50 });
    await consumer.connect();
    try {
      const [record] = await consumeAll(consumer, topic, 1);
      expect([record?.key?.toString(), record?.value?.toString(), record?.headers]).toEqual(['inv-000001', 'v', { 'mesh-event-id': 'id-1' }]);
    } finally {
      await consumer.disconnect();
    }
    const stock = process.env.MESH_KAFKAJS?.trim().toLowerCase() === 'stock';
    expect(kafkajsPathsStatus()).toEqual(all(stock ? 'stock' : 'in-place'));
  });
});
