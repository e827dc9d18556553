/**
 * The registry backed by Kafka, driven by @kafkajs/confluent-schema-registry. Runs
 * on the test Kafka (the embedded broker, or a real cluster: test/support/kafka-choice.ts);
 * each test uses its own state topic, so runs do not see each other.
 */
import { randomUUID } from 'node:crypto';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { RawAvroSchema } from '@kafkajs/confluent-schema-registry/dist/@types';
import { Kafka, logLevel } from 'kafkajs';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { testKafka, type TestKafka } from '../support/kafka';

let kafka: TestKafka | undefined;
let brokers: string[];
const running: RunningSchemaRegistry[] = [];
let topic: string;

beforeAll(async () => {
  kafka = await testKafka();
  brokers = kafka.brokers;
});
afterAll(async () => {
  await kafka?.stop();
});
beforeEach(() => {
  topic = `_schemas-test-${randomUUID()}`;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

async function registry(): Promise<RunningSchemaRegistry> {
  const started = await startSchemaRegistry({ port: 0, brokers, topic, storeTimeoutMs: 10_000 });
  running.push(started);
  return started;
}

async function stop(target: RunningSchemaRegistry): Promise<void> {
  running.splice(running.indexOf(target), 1);
  await target.stop();
}

const client = (r: RunningSchemaRegistry) => new SchemaRegistry({ host: r.url, retry: { retries: 0 } });
const order = (fields: unknown[]) => JSON.stringify({ type: 'record', name: 'Order', namespace: 'test.shop', fields });
const v1 = order([
  { name: 'id', type: 'string' },
  { name: 'total', type: 'long' },
]);
const v2 = order([
  { name: 'id', type: 'string' },
  { name: 'total', type: 'long' },
  { name: 'note', type: 'string', default: 'none' },
]);
const breaking = order([
  { name: 'id', type: 'string' },
  { name: 'total', type: 'long' },
  { name: 'currency', type: 'string' },
]);
const avro = (schema: string) => ({ type: SchemaType.AVRO as const, schema });
const readerSchema = (schema: string) => ({ [SchemaType.AVRO]: { readerSchema: JSON.parse(schema) as RawAvroSchema } });

async function api(r: RunningSchemaRegistry, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${r.url}${path}`, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function endOffset(): Promise<number> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [partition] = await admin.fetchTopicOffsets(topic);
    return Number(partition.high);
  } finally {
    await admin.disconnect();
  }
}

test('register, encode, decode; the same schema under two subjects has one id', async () => {
  const r = await registry();
  const schemas = client(r);
  const { id } = await schemas.register(avro(v1), { subject: 'orders-value' });
  const payload = await schemas.encode(id, { id: 'o-1', total: 1200 });
  expect(payload.readInt32BE(1)).toBe(id);
  expect(await schemas.decode(payload)).toEqual({ id: 'o-1', total: 1200 });

  const again = await schemas.register(avro(v1), { subject: 'orders-archive-value' });
  expect(again.id).toBe(id);
  expect(await schemas.getLatestSchemaId('orders-archive-value')).toBe(id);
});

test('an evolution adding a field with a default: old and new readers both decode', async () => {
  const r = await registry();
  const schemas = client(r);
  const first = await schemas.register(avro(v1), { subject: 'orders-value' });
  const second = await schemas.register(avro(v2), { subject: 'orders-value' });
  expect(second.id).not.toBe(first.id);

  const oldPayload = await schemas.encode(first.id, { id: 'o-1', total: 5 });
  const newPayload = await schemas.encode(second.id, { id: 'o-2', total: 6, note: 'gift' });
  // New reader, old data: the default fills the gap.
  expect(await schemas.decode(oldPayload, readerSchema(v2))).toEqual({ id: 'o-1', total: 5, note: 'none' });
  // Old reader, new data: the extra field is skipped.
  expect(await schemas.decode(newPayload, readerSchema(v1))).toEqual({ id: 'o-2', total: 6 });
});

test('an incompatible change is refused with 409 under BACKWARD and accepted under NONE', async () => {
  const r = await registry();
  const schemas = client(r);
  await schemas.register(avro(v1), { subject: 'orders-value' });
  const refused = await schemas.register(avro(breaking), { subject: 'orders-value' }).catch((error: unknown) => error);
  expect(refused).toMatchObject({ status: 409, message: expect.stringMatching(/"currency" has no default/) as unknown });
  expect((await api(r, 'GET', '/subjects/orders-value/versions')).body).toEqual([1]);

  expect((await api(r, 'PUT', '/config/orders-value', { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
  const accepted = await schemas.register(avro(breaking), { subject: 'orders-value', compatibility: COMPATIBILITY.NONE });
  expect((await api(r, 'GET', '/subjects/orders-value/versions/latest')).body).toMatchObject({ id: accepted.id, version: 2 });
});

test('a restarted registry keeps ids, versions and config, and does not reuse ids', async () => {
  const first = await registry();
  const ids = [(await client(first).register(avro(v1), { subject: 'orders-value' })).id, (await client(first).register(avro(v2), { subject: 'orders-value' })).id];
  await api(first, 'DELETE', '/subjects/orders-value/versions/2');
  await api(first, 'PUT', '/config/orders-value', { compatibility: 'FULL' });
  const before = await api(first, 'GET', '/subjects/orders-value/versions/1');
  await stop(first);

  const second = await registry();
  expect(await api(second, 'GET', '/subjects/orders-value/versions/1')).toEqual(before);
  expect((await api(second, 'GET', '/subjects/orders-value/versions')).body).toEqual([1]);
  expect((await api(second, 'GET', '/subjects/orders-value/versions?deleted=true')).body).toEqual([1, 2]);
  expect((await api(second, 'GET', '/config/orders-value')).body).toEqual({ compatibilityLevel: 'FULL' });
  expect((await api(second, 'GET', `/schemas/ids/${ids[1]}`)).status).toBe(200);
  const third = order([
    { name: 'id', type: 'string' },
    { name: 'total', type: 'long' },
    { name: 'tag', type: ['null', 'string'], default: null },
  ]);
  const next = await api(second, 'POST', '/subjects/orders-value/versions', { schema: third });
  expect(next.body).toEqual({ id: Math.max(...ids) + 1 });
  expect((await api(second, 'GET', '/subjects/orders-value/versions/latest')).body).toMatchObject({ version: 3 });
});

test('two registry processes on one broker see each other’s writes, and concurrent writes get distinct ids and versions', async () => {
  const [a, b] = await Promise.all([registry(), registry()]);
  const { id } = await client(a).register(avro(v1), { subject: 'orders-value' });
  // Encoded through A, decoded through B (which has never seen the id).
  const payload = await client(a).encode(id, { id: 'o-1', total: 1 });
  expect(await client(b).decode(payload)).toEqual({ id: 'o-1', total: 1 });
  await api(b, 'POST', '/subjects/payments-value/versions', { schema: v2 });
  expect((await api(a, 'GET', '/subjects')).body).toEqual(['orders-value', 'payments-value']);

  // Both allocate at once: the log order decides and the loser retries.
  await api(a, 'PUT', '/config/race-value', { compatibility: 'NONE' });
  const schemaFor = (n: number) => JSON.stringify({ type: 'record', name: `Race${n}`, fields: [{ name: 'n', type: 'int' }] });
  const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => api(n % 2 ? a : b, 'POST', '/subjects/race-value/versions', { schema: schemaFor(n) })));
  const raceIds = answers.map((answer) => (answer.body as { id: number }).id);
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 200]);
  expect(new Set(raceIds).size).toBe(6);
  const fromA = await api(a, 'GET', '/subjects/race-value/versions');
  expect(fromA.body).toEqual([1, 2, 3, 4, 5, 6]);
  for (let n = 0; n < 6; n++) {
    const seenByA = await api(a, 'GET', `/schemas/ids/${raceIds[n]}`);
    const seenByB = await api(b, 'GET', `/schemas/ids/${raceIds[n]}`);
    expect(seenByA).toEqual(seenByB);
    expect(JSON.parse((seenByA.body as { schema: string }).schema)).toMatchObject({ name: `Race${n}` });
  }
});

test('bad input against the Kafka-backed registry answers clearly and writes nothing to the log', async () => {
  const r = await registry();
  await client(r).register(avro(v1), { subject: 'orders-value' });
  const before = await endOffset();
  expect(await api(r, 'POST', '/subjects/orders-value/versions', '{"schema": ')).toMatchObject({ status: 400 });
  expect(await api(r, 'POST', '/subjects/orders-value/versions', { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' })).toMatchObject({
    status: 422,
    body: { error_code: 42201 },
  });
  expect(await api(r, 'POST', '/subjects/orders-value/versions', { schema: breaking })).toMatchObject({ status: 409, body: { error_code: 409 } });
  expect(await api(r, 'GET', '/subjects/nope/versions/latest')).toMatchObject({ status: 404, body: { error_code: 40401 } });
  expect(await api(r, 'GET', '/schemas/ids/4242')).toMatchObject({ status: 404, body: { error_code: 40403 } });
  expect(await api(r, 'POST', '/subjects/orders-value/versions', JSON.stringify({ schema: v1, pad: 'x'.repeat(17 * 1024 * 1024) }))).toMatchObject({
    status: 413,
    body: { error_code: 413 },
  });
  expect(await endOffset()).toBe(before);
});

test('an unreachable cluster fails start-up with a store error naming the brokers', async () => {
  const failure = await startSchemaRegistry({ port: 0, brokers: ['127.0.0.1:1'], topic }).catch((error: unknown) => error);
  expect(failure).toMatchObject({ name: 'SchemaStoreError', message: expect.stringContaining('127.0.0.1:1') as unknown });
});
