import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunningBroker } from '@agentmesh/broker';
import { startTestBroker, uniqueName } from '../support/kafka';

// kafkajs's own murmur2: where its DefaultPartitioner, and Kafka's Java client, put a key.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: string) => number;

// The runtime replaces some of kafkajs's hot paths through Node's module cache (kafkajs/install.ts).
// Jest has its own module registry, so this runs where users run them: a plain Node process.
const FIXTURE = resolve(__dirname, 'fixtures/kafkajs-roundtrip.js');

interface RoundTrip {
  status: Record<string, string>;
  sent: Array<{ key: string; value: string; headers: Record<string, string> }>;
  received: Array<{ partition: number; key: string; value: string; headers: Record<string, string> }>;
}

let broker: RunningBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.stop());

async function roundTrip(env: NodeJS.ProcessEnv = {}, ...flags: string[]): Promise<RoundTrip> {
  const { stdout } = await promisify(execFile)(process.execPath, [FIXTURE, broker.address, uniqueName('install'), ...flags], { env: { ...process.env, ...env }, timeout: 60_000 });
  return JSON.parse(stdout) as RoundTrip;
}

function expectSameRecordsWhereKafkaPutsThem({ sent, received }: RoundTrip): void {
  const byKey = new Map(received.map((r) => [r.key, r]));
  expect(byKey.size).toBe(sent.length);
  for (const record of sent) {
    const got = byKey.get(record.key);
    expect({ key: record.key, value: got?.value, headers: got?.headers }).toEqual(record);
    expect([record.key, got?.partition]).toEqual([record.key, (kafkajsMurmur2(record.key) & 0x7fffffff) % 3]);
  }
}

describe("the runtime's kafkajs paths in a Node process", () => {
  it('are all installed when the runtime loads first, and records keep their bytes and partitions', async () => {
    const result = await roundTrip();
    expect(result.status).toEqual({ recordCodecs: 'installed', partitionGrouping: 'installed', partitioner: 'installed', produceRequest: 'installed', requestFrame: 'installed' });
    expectSameRecordsWhereKafkaPutsThem(result);
  }, 90_000);

  it('are left alone with MESH_KAFKAJS=stock, with the same records in the same partitions', async () => {
    const result = await roundTrip({ MESH_KAFKAJS: 'stock' });
    expect(Object.values(result.status)).toEqual(['disabled', 'disabled', 'disabled', 'disabled', 'disabled']);
    expectSameRecordsWhereKafkaPutsThem(result);
  }, 90_000);

  it('are installed only where still possible when kafkajs loaded first', async () => {
    const result = await roundTrip({}, '--kafkajs-first');
    // The grouping, the partitioner and the framing are bound when kafkajs loads; the codecs and the produce request at first use.
    expect(result.status).toEqual({ recordCodecs: 'installed', partitionGrouping: 'too-late', partitioner: 'too-late', produceRequest: 'installed', requestFrame: 'too-late' });
    expectSameRecordsWhereKafkaPutsThem(result);
  }, 90_000);
});
