import { Type } from 'avsc';
import { checkCompatibility, loadContracts, registerContracts, startSchemaRegistry, type Contract, type RunningSchemaRegistry } from '@agentmesh/schema-registry';

// The heartbeat's idempotencyStore field (what `mesh dlq replay` checks) is a compatible change: a
// registry holding the contract from before it takes the new one, and old and new readers and writers
// read each other's heartbeats.

const heartbeatContract = (): Contract => loadContracts().find((c) => c.topic === 'mesh.heartbeats')!;

/** The contract as it was before the field: the same record without it. */
function previousSchema(contract: Contract): Record<string, unknown> {
  const schema = contract.schema as { fields: Array<{ name: string }> };
  expect(schema.fields.map((f) => f.name)).toContain('idempotencyStore');
  return { ...schema, fields: schema.fields.filter((f) => f.name !== 'idempotencyStore') };
}

let registry: RunningSchemaRegistry;
afterAll(() => registry?.stop());

describe('the heartbeat contract with the store identity', () => {
  it('is fully compatible with the contract before it', () => {
    const contract = heartbeatContract();
    const previous = Type.forSchema(previousSchema(contract) as unknown as Parameters<typeof Type.forSchema>[0]);
    expect(checkCompatibility('FULL_TRANSITIVE', contract.type, [{ version: 1, type: previous }])).toEqual([]);

    const heartbeat = { agent: 'a', instanceId: 'i', host: 'h', pid: 1, status: 'READY', sentAt: 1, assignedPartitions: 0, consumerLag: 0, openBreakers: [], version: null, topics: [], counters: {} };
    // An old writer's heartbeat reads with the new contract as "store unknown".
    const fromOld = contract.type.fromBuffer(previous.toBuffer(heartbeat), contract.type.createResolver(previous)) as { idempotencyStore: unknown };
    expect(fromOld.idempotencyStore).toBeNull();
    // A new writer's heartbeat reads with the old contract, the field skipped.
    const fromNew = previous.fromBuffer(contract.type.toBuffer({ ...heartbeat, idempotencyStore: 'redis:x' }), previous.createResolver(contract.type)) as Record<string, unknown>;
    expect(fromNew).toMatchObject({ agent: 'a', instanceId: 'i' });
    expect(fromNew).not.toHaveProperty('idempotencyStore');
  });

  it('registers over the contract before it, as `mesh dev` does on a registry that has it', async () => {
    registry = await startSchemaRegistry({ port: 0 });
    const contract = heartbeatContract();
    const subject = encodeURIComponent(contract.subject);
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${registry.url}${path}`, { method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) });
    expect((await post(`/config/${subject}`, { compatibility: 'FULL' }, 'PUT')).status).toBe(200);
    expect((await post(`/subjects/${subject}/versions`, { schema: JSON.stringify(previousSchema(contract)) })).status).toBe(200);
    const registered = await registerContracts(registry.url, [contract]);
    expect(registered).toEqual([expect.objectContaining({ subject: contract.subject })]);
    const versions = (await (await fetch(`${registry.url}/subjects/${subject}/versions`)).json()) as number[];
    expect(versions).toEqual([1, 2]);
  });
});
