import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { RegistryCodec } from '@agentmesh/runtime';
import { kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { MESH } from '../support/mesh-cli';

// `mesh tail --follow` with Avro values: it starts at a time, waits for records written after it started, decodes
// them through the registry and stops after --max. (test/cli/topics.test.ts covers the other flags, schemaless.)

let kafka: TestKafka;
let registryUrl: string;

beforeAll(async () => {
  kafka = await testKafka();
  registryUrl = await kafka.registryUrl();
}, 30_000);
afterAll(() => kafka?.stop());

interface Tailed {
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  value: { encoding: string; schemaId?: number; value?: unknown };
}

describe('mesh tail --follow', () => {
  it('from a time, waits for new Avro records, decodes them and stops after --max', async () => {
    const topic = uniqueName('tail-follow');
    const schema = {
      type: 'record',
      name: 'Reading',
      namespace: 'test.tail',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'celsius', type: 'double' },
      ],
    };
    const registered = await fetch(`${registryUrl}/subjects/${topic}-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    });
    expect(registered.status).toBe(200);
    const codec = new RegistryCodec({ url: registryUrl });
    const producer = kafkaFor(kafka).producer();
    await producer.connect();
    const now = Date.now();
    // Before the --from time: not shown.
    await producer.send({ topic, messages: [{ key: 's-0', value: await codec.encode(topic, { sensor: 'old', celsius: 1 }), timestamp: String(now - 60_000) }] });

    const tail = spawn(process.execPath, [MESH, 'tail', topic, '--from', `@${now - 30_000}`, '--follow', '--max', '2', '--json', '--brokers', kafka.address, '--registry', registryUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    tail.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    tail.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(tail, 'exit') as Promise<[number | null]>;
    const killer = setTimeout(() => tail.kill('SIGKILL'), 45_000);
    try {
      // Written after the tail started (or while it starts: either way after the --from time).
      await producer.send({
        topic,
        messages: [
          { key: 's-1', value: await codec.encode(topic, { sensor: 'north', celsius: 21.5 }), headers: { site: 'a' }, timestamp: String(now) },
          { key: 's-2', value: await codec.encode(topic, { sensor: 'south', celsius: -3 }), timestamp: String(now + 1) },
        ],
      });
      const [code] = await exited;
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      clearTimeout(killer);
      await producer.disconnect();
    }
    const records = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Tailed);
    expect(records.map((r) => [r.offset, r.key, r.headers])).toEqual([
      ['1', 's-1', { site: 'a' }],
      ['2', 's-2', {}],
    ]);
    expect(records.map((r) => r.value)).toEqual([
      { encoding: 'avro', schemaId: expect.any(Number) as number, value: { sensor: 'north', celsius: 21.5 } },
      { encoding: 'avro', schemaId: expect.any(Number) as number, value: { sensor: 'south', celsius: -3 } },
    ]);
  }, 60_000);
});
