import { request } from 'node:http';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../src';

interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
}

let registry: RunningSchemaRegistry;

async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${registry.url}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
}

const order = (fields: unknown[] = [{ name: 'id', type: 'string' }]) => JSON.stringify({ type: 'record', name: 'Order', namespace: 'test.shop', fields });
const withNote = order([
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
]);

beforeEach(async () => {
  registry = await startSchemaRegistry({ port: 0, maxBodyBytes: 64 * 1024 });
});
afterEach(() => registry.stop());

test('binds loopback on a free port and answers the Confluent content type', async () => {
  expect(registry.host).toBe('127.0.0.1');
  expect(registry.port).toBeGreaterThan(0);
  const answer = await api('GET', '/subjects');
  expect(answer).toEqual({ status: 200, contentType: 'application/vnd.schemaregistry.v1+json', body: [] });
});

test('register, look up, list; same schema again and under another subject keeps its id', async () => {
  const first = await api('POST', '/subjects/orders-value/versions', { schema: order() });
  expect(first).toMatchObject({ status: 200, body: { id: 1 } });
  // Whitespace and key order do not make a different schema.
  const reformatted = JSON.stringify(JSON.parse(order()), null, 2);
  expect((await api('POST', '/subjects/orders-value/versions', { schema: reformatted })).body).toEqual({ id: 1 });
  expect((await api('POST', '/subjects/other-value/versions', { schema: order() })).body).toEqual({ id: 1 });
  expect((await api('POST', '/subjects/orders-value/versions', { schema: withNote })).body).toEqual({ id: 2 });

  expect((await api('GET', '/subjects')).body).toEqual(['orders-value', 'other-value']);
  expect((await api('GET', '/subjects/orders-value/versions')).body).toEqual([1, 2]);
  expect((await api('GET', '/subjects/orders-value/versions/latest')).body).toMatchObject({ subject: 'orders-value', id: 2, version: 2 });
  expect((await api('GET', '/subjects/orders-value/versions/1/schema')).body).toEqual(JSON.parse(order()));
  expect((await api('POST', '/subjects/orders-value', { schema: order() })).body).toMatchObject({ id: 1, version: 1 });
  const byId = (await api('GET', '/schemas/ids/2')).body as { schema: string };
  expect(JSON.parse(byId.schema)).toEqual(JSON.parse(withNote));
  expect((await api('GET', '/schemas/ids/1/versions')).body).toEqual([
    { subject: 'orders-value', version: 1 },
    { subject: 'other-value', version: 1 },
  ]);
});

test('URL-encoded subject names', async () => {
  const subject = 'team/a orders-value';
  await api('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: order() });
  expect((await api('GET', '/subjects')).body).toEqual([subject]);
  expect((await api('GET', `/subjects/${encodeURIComponent(subject)}/versions/1`)).body).toMatchObject({ subject });
});

test('config: global default BACKWARD, subject 40401 until set, invalid level 42203', async () => {
  expect((await api('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  expect(await api('GET', '/config/orders-value')).toMatchObject({ status: 404, body: { error_code: 40401 } });
  expect((await api('GET', '/config/orders-value?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
  expect((await api('PUT', '/config/orders-value', { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
  expect((await api('GET', '/config/orders-value')).body).toEqual({ compatibilityLevel: 'FULL' });
  expect((await api('PUT', '/config', { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
  expect((await api('GET', '/config')).body).toEqual({ compatibilityLevel: 'NONE' });
  expect(await api('PUT', '/config', { compatibility: 'SIDEWAYS' })).toMatchObject({ status: 422, body: { error_code: 42203 } });
  expect((await api('DELETE', '/config/orders-value')).body).toEqual({ compatibilityLevel: 'FULL' });
  expect((await api('GET', '/config/orders-value')).status).toBe(404);
});

test('compatibility endpoint and 409 on register', async () => {
  await api('POST', '/subjects/orders-value/versions', { schema: order() });
  const breaking = order([
    { name: 'id', type: 'string' },
    { name: 'total', type: 'long' },
  ]);
  expect((await api('POST', '/compatibility/subjects/orders-value/versions/latest', { schema: withNote })).body).toEqual({ is_compatible: true });
  const verbose = await api('POST', '/compatibility/subjects/orders-value/versions/1?verbose=true', { schema: breaking });
  expect(verbose.body).toEqual({ is_compatible: false, messages: [expect.stringMatching(/"total" has no default/)] });
  const refused = await api('POST', '/subjects/orders-value/versions', { schema: breaking });
  expect(refused).toMatchObject({ status: 409, body: { error_code: 409, message: expect.stringMatching(/incompatible.*"total" has no default/) as unknown } });
  expect((await api('GET', '/subjects/orders-value/versions')).body).toEqual([1]);
  expect(await api('POST', '/compatibility/subjects/nope/versions/latest', { schema: order() })).toMatchObject({ status: 404, body: { error_code: 40401 } });
});

test('soft delete, then permanent delete, with 40404/40405/40406/40407', async () => {
  await api('POST', '/subjects/orders-value/versions', { schema: order() });
  await api('POST', '/subjects/orders-value/versions', { schema: withNote });
  expect(await api('DELETE', '/subjects/orders-value/versions/2?permanent=true')).toMatchObject({ status: 404, body: { error_code: 40407 } });
  expect((await api('DELETE', '/subjects/orders-value/versions/2')).body).toBe(2);
  expect(await api('DELETE', '/subjects/orders-value/versions/2')).toMatchObject({ status: 404, body: { error_code: 40406 } });
  expect((await api('GET', '/subjects/orders-value/versions')).body).toEqual([1]);
  expect((await api('GET', '/subjects/orders-value/versions?deleted=true')).body).toEqual([1, 2]);
  expect(await api('GET', '/subjects/orders-value/versions/2')).toMatchObject({ status: 404, body: { error_code: 40402 } });
  expect((await api('GET', '/schemas/ids/2')).status).toBe(200); // soft-deleted schemas stay readable by id

  expect(await api('DELETE', '/subjects/orders-value?permanent=true')).toMatchObject({ status: 404, body: { error_code: 40405 } });
  expect((await api('DELETE', '/subjects/orders-value')).body).toEqual([1]);
  expect(await api('DELETE', '/subjects/orders-value')).toMatchObject({ status: 404, body: { error_code: 40404 } });
  expect((await api('GET', '/subjects')).body).toEqual([]);
  expect((await api('GET', '/subjects?deleted=true')).body).toEqual(['orders-value']);
  expect((await api('DELETE', '/subjects/orders-value?permanent=true')).body).toEqual([1, 2]);
  expect((await api('GET', '/subjects?deleted=true')).body).toEqual([]);
  expect(await api('GET', '/schemas/ids/1')).toMatchObject({ status: 404, body: { error_code: 40403 } });
});

describe('bad input: clear errors, nothing stored', () => {
  const nothingStored = async (): Promise<void> => {
    expect((await api('GET', '/subjects?deleted=true')).body).toEqual([]);
    expect((await api('GET', '/schemas/ids/1')).status).toBe(404);
  };

  test('malformed JSON body', async () => {
    const answer = await api('POST', '/subjects/orders-value/versions', '{"schema": ');
    expect(answer).toMatchObject({ status: 400, body: { error_code: 400, message: expect.stringMatching(/not valid JSON/) as unknown } });
    await nothingStored();
  });

  test('invalid Avro: 422 / 42201 with the reason', async () => {
    for (const schema of ['{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}', 'not json', '{"type":"record","fields":[]}']) {
      const answer = await api('POST', '/subjects/orders-value/versions', { schema });
      expect(answer).toMatchObject({ status: 422, body: { error_code: 42201, message: expect.stringMatching(/^Invalid schema: /) as unknown } });
    }
    expect(await api('POST', '/subjects/orders-value/versions', { schema: 42 })).toMatchObject({ status: 422, body: { error_code: 42201 } });
    await nothingStored();
  });

  test('JSON and PROTOBUF schema types are refused as unsupported', async () => {
    for (const schemaType of ['JSON', 'PROTOBUF']) {
      const answer = await api('POST', '/subjects/orders-value/versions', { schemaType, schema: '{}' });
      expect(answer).toMatchObject({ status: 422, body: { error_code: 42201, message: expect.stringContaining(`"${schemaType}" is not supported`) as unknown } });
    }
    await nothingStored();
  });

  test('unknown subject, version, id; invalid version', async () => {
    expect(await api('GET', '/subjects/nope/versions')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await api('GET', '/subjects/nope/versions/latest')).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await api('POST', '/subjects/nope', { schema: order() })).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await api('GET', '/schemas/ids/99')).toMatchObject({ status: 404, body: { error_code: 40403 } });
    await api('POST', '/subjects/orders-value/versions', { schema: order() });
    expect(await api('GET', '/subjects/orders-value/versions/7')).toMatchObject({ status: 404, body: { error_code: 40402 } });
    expect(await api('GET', '/subjects/orders-value/versions/zero')).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(await api('GET', '/subjects/orders-value/versions/0')).toMatchObject({ status: 422, body: { error_code: 42202 } });
    expect(await api('POST', '/subjects/orders-value', { schema: withNote })).toMatchObject({ status: 404, body: { error_code: 40403 } });
    expect(await api('GET', '/no/such/path')).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(await api('PATCH', '/subjects')).toMatchObject({ status: 405 });
  });

  test('a body over the limit answers 413 and the server keeps serving', async () => {
    const huge = JSON.stringify({ schema: order([{ name: 'id', type: 'string', doc: 'x'.repeat(70 * 1024) }]) });
    expect(await api('POST', '/subjects/orders-value/versions', huge)).toMatchObject({
      status: 413,
      body: { error_code: 413, message: expect.stringMatching(/larger than the limit of 65536 bytes/) as unknown },
    });
    // Chunked (no content-length) too.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${registry.url}/subjects/orders-value/versions`, { method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 80; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
    await nothingStored();
  });
});

test('a taken port rejects with PortInUseError naming the port', async () => {
  const { PortInUseError } = await import('../src');
  const failure = await startSchemaRegistry({ port: registry.port }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(PortInUseError);
  expect(failure).toMatchObject({ port: registry.port, host: '127.0.0.1', message: expect.stringContaining(`port ${registry.port} is already in use`) as unknown });
});
