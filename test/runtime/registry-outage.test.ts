import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { defineAgent, RegistryCodec } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { runtimeHarness, type RuntimeHarness } from './support';

// This suite's own registry (it stops and restarts it), on a state topic of its own: never a cluster's `_schemas`.
const SCHEMAS_TOPIC = uniqueName('_schemas-outage');

// A schema registry outage is the registry's fault, not the event's: an agent waits (paused, not ready) instead of
// spending the event's retries and dead-lettering it, and its handler does not run again for outputs it could
// not encode.

let h: RuntimeHarness;
let registry: RunningSchemaRegistry | undefined;
beforeAll(async () => {
  h = await runtimeHarness();
  // Kafka-backed, so a restart on the same port keeps the schema ids.
  registry = await startSchemaRegistry({ port: 0, brokers: h.broker.brokers, topic: SCHEMAS_TOPIC });
});
afterAll(async () => {
  await h.close();
  await registry?.stop();
});

const schema = (name: string) => JSON.stringify({ type: 'record', name, namespace: 'test.registry.outage', fields: [{ name: 'n', type: 'int' }] });

it('holds events it cannot decode and outputs it cannot encode until the registry is back: no retries, no dead letters, each handled once', async () => {
  const url = registry!.url;
  const port = registry!.port;
  const id = uniqueName('reg');
  const t = { input: `in-${id}`, first: `first-${id}`, second: `second-${id}` };
  const agentName = `agent-${id}`;
  const client = new SchemaRegistry({ host: url });
  const inputV1 = await client.register({ type: SchemaType.AVRO, schema: schema('In') }, { subject: `${t.input}-value` });
  await client.register({ type: SchemaType.AVRO, schema: schema('First') }, { subject: `${t.first}-value` });
  await client.register({ type: SchemaType.AVRO, schema: schema('Second') }, { subject: `${t.second}-value` });
  // A second version of the input's schema, which the agent will meet only while the registry is away.
  const inputV2 = await client.register(
    {
      type: SchemaType.AVRO,
      schema: JSON.stringify({
        ...JSON.parse(schema('In')),
        fields: [
          { name: 'n', type: 'int' },
          { name: 'note', type: 'string', default: '' },
        ],
      }),
    },
    { subject: `${t.input}-value` },
  );
  const encoded = { one: await client.encode(inputV1.id, { n: 1 }), two: await client.encode(inputV1.id, { n: 2 }), three: await client.encode(inputV2.id, { n: 3, note: 'v2' }) };

  const calls = new Map<number, number>();
  const worker = await h.start(
    defineAgent<{ n: number }>({
      name: agentName,
      consumes: [t.input],
      produces: [t.first, t.second],
      retry: { delaysMs: [100], maxAttempts: 2, jitter: 0 },
      // Event 2 writes to a topic whose schema this agent has not fetched yet.
      handle: (e) => {
        calls.set(e.value.n, (calls.get(e.value.n) ?? 0) + 1);
        return [{ topic: e.value.n === 2 ? t.second : t.first, value: { n: e.value.n } }];
      },
    }),
    { codec: new RegistryCodec({ url, requestTimeoutMs: 500, retries: 0 }) },
  );
  const seen = await h.watch([t.first, t.second, `${agentName}.dlq`, `${agentName}.retry.0`]);
  const producer = h.kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: t.input, messages: [{ key: 'k', value: encoded.one }] });
    await seen.until((s) => s.length >= 1, 'the output of event 1');

    await registry!.stop();
    registry = undefined;
    await producer.send({ topic: t.input, messages: [{ key: 'k2', value: encoded.two }] });
    await producer.send({ topic: t.input, messages: [{ key: 'k3', value: encoded.three }] });
    const why = await eventually(async () => {
      const checks = await worker.readiness();
      return checks.consumption?.ok === false ? checks.consumption.detail : undefined;
    }, 'the worker to pause for the registry');
    expect(why).toContain('schema registry unreachable');

    registry = await startSchemaRegistry({ port, brokers: h.broker.brokers, topic: SCHEMAS_TOPIC });
    const all = await seen.until((s) => s.length >= 3, 'the outputs of events 2 and 3 once the registry is back', 30_000);
    expect(all.map((s) => s.topic).sort()).toEqual([t.first, t.first, t.second].sort());
    expect([...calls.entries()].sort()).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  } finally {
    await producer.disconnect();
  }
});
