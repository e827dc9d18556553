import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RegistryCodec } from '@agentmesh/runtime';
import { loadContracts, registerContracts, startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { ReplyReader } from './reply-reader';

const reply = { sagaId: 's-1', sagaType: 'order', step: 'charge', kind: 'EXECUTE', attempt: 1, outcome: 'FAILED', data: null, errorKind: 'PERMANENT', error: 'card declined', repliedAt: 1 };

let registry: RunningSchemaRegistry;

beforeAll(async () => {
  registry = await startSchemaRegistry({ port: 0 });
  await registerContracts(registry.url, loadContracts());
});

afterAll(() => registry?.stop());

describe('ReplyReader', () => {
  it('reads the answer of an Avro reply through the registry, and of a JSON one as it is', async () => {
    const avro = await new RegistryCodec({ url: registry.url }).encode('saga.replies', reply);
    const reader = new ReplyReader(registry.url);
    expect(await reader.summary(avro)).toEqual({ outcome: 'FAILED', errorKind: 'PERMANENT', error: 'card declined' });
    expect(await reader.summary(Buffer.from(JSON.stringify({ ...reply, outcome: 'SUCCEEDED', errorKind: null, error: null })))).toEqual({ outcome: 'SUCCEEDED' });
    expect(await reader.summary(null)).toBeUndefined();
    expect(ReplyReader.reads('saga.replies')).toBe(true);
    expect(ReplyReader.reads('saga.events')).toBe(false);
  });

  it('goes on without answers while the registry is unreachable, and asks again after a pause', async () => {
    const avro = await new RegistryCodec({ url: registry.url }).encode('saga.replies', reply);
    // A registry that drops every connection, counting them.
    let asked = 0;
    const broken = createHttpServer((req) => {
      asked += 1;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      let now = 0;
      const reader = new ReplyReader(`http://127.0.0.1:${(broken.address() as AddressInfo).port}`, () => now);
      expect(await reader.summary(avro)).toBeUndefined();
      const first = asked;
      expect(first).toBeGreaterThan(0);
      now = 29_000;
      expect(await reader.summary(avro)).toBeUndefined();
      expect(asked).toBe(first);
      now = 31_000;
      expect(await reader.summary(avro)).toBeUndefined();
      expect(asked).toBeGreaterThan(first);
    } finally {
      await new Promise<void>((resolve) => broken.close(() => resolve()));
    }
  });
});
