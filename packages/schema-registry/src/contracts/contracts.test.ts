import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSchemaRegistry, type RunningSchemaRegistry } from '../start';
import { ContractError, defaultSchemasDir, loadContracts } from './loader';
import { ContractIncompatibleError, registerContracts } from './register';
import type { AgentHeartbeat, InvoiceExtracted, SagaReply } from './types.generated';
import { GENERATED_TYPES_FILE, renderContractTypes } from './typescript';

const generatedPath = join(__dirname, GENERATED_TYPES_FILE);

describe('schemas/', () => {
  const contracts = loadContracts(defaultSchemasDir());

  test('every .avsc parses and is mapped to a topic, subjects are <topic>-value', () => {
    expect(contracts.length).toBeGreaterThanOrEqual(10);
    for (const contract of contracts) {
      expect(contract.subject).toBe(`${contract.topic}-value`);
      expect(contract.recordName).toMatch(/^io\.agentmesh\./);
    }
    expect(contracts.map((c) => c.topic)).toEqual(expect.arrayContaining(['mesh.heartbeats', 'saga.replies', 'saga.events', 'invoices.received', 'invoices.posted', 'accounts.signups']));
  });

  test('types.generated.ts matches a fresh rendering of the schemas', () => {
    const rendered = renderContractTypes(contracts);
    if (process.env.UPDATE_CONTRACT_TYPES === '1') writeFileSync(generatedPath, rendered);
    expect(readFileSync(generatedPath, 'utf8')).toBe(rendered);
  });

  test("the runtime's copy of the mesh's own contract types matches a fresh rendering of schemas/mesh", () => {
    // The runtime depends on no package of ours but needs the heartbeat's type: it keeps a generated copy.
    const runtimeCopy = join(__dirname, '../../../runtime/src/contracts/mesh-contracts.generated.ts');
    const rendered = renderContractTypes(contracts.filter((c) => c.file.startsWith('mesh/')));
    if (process.env.UPDATE_CONTRACT_TYPES === '1') writeFileSync(runtimeCopy, rendered);
    expect(readFileSync(runtimeCopy, 'utf8')).toBe(rendered);
  });

  test('values typed with the generated types encode and decode with the schemas', () => {
    const heartbeat: AgentHeartbeat = {
      agent: 'validation',
      instanceId: 'i-1',
      host: 'h',
      pid: 1,
      status: 'READY',
      sentAt: 1_700_000_000_000,
      assignedPartitions: 2,
      consumerLag: 0,
      openBreakers: ['erp'],
      version: null,
      topics: ['invoices.extracted'],
      counters: { processed: 3 },
      idempotencyStore: null,
      kind: 'agent',
      group: 'validation',
      partitions: [{ topic: 'invoices.extracted', partition: 0, lag: 4 }],
      inFlight: 1,
      breakers: { erp: 'open' },
      latencyP50Ms: 12.5,
      latencyP99Ms: 80,
      role: null,
      fencingToken: null,
    };
    const extracted: InvoiceExtracted = {
      invoiceId: 'inv-1',
      supplierName: 'ACME',
      supplierVatId: null,
      invoiceNumber: 'A-1',
      purchaseOrderNumber: 'PO-9',
      currency: 'EUR',
      totalMinor: 12_345,
      lines: [{ description: 'bolts', quantity: 3, unitPriceMinor: 4115 }],
      confidence: 0.9,
    };
    const reply: SagaReply = {
      sagaId: 's',
      sagaType: 'signup',
      step: 'reserve',
      kind: 'COMPENSATE',
      attempt: 2,
      outcome: 'FAILED',
      data: null,
      errorKind: 'TRANSIENT',
      error: 'boom',
      repliedAt: 1,
    };
    const byTopic = new Map(contracts.map((c) => [c.topic, c.type]));
    for (const [topic, value] of [
      ['mesh.heartbeats', heartbeat],
      ['invoices.extracted', extracted],
      ['saga.replies', reply],
    ] as const) {
      const type = byTopic.get(topic);
      expect(type?.isValid(value)).toBe(true);
      expect(type?.fromBuffer(type.toBuffer(value))).toEqual(value);
    }
  });
});

describe('loadContracts and registerContracts', () => {
  let dir: string;
  let registry: RunningSchemaRegistry;
  const write = (file: string, content: unknown): void => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const order = (fields: unknown[]) => ({ type: 'record', name: 'Order', namespace: 'test.shop', fields });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    registry = await startSchemaRegistry({ port: 0 });
  });
  afterEach(async () => {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an unparsable file is named in the error', () => {
    write('topics.json', { orders: 'shop/order.avsc' });
    write('shop/order.avsc', order([{ name: 'id', type: 'strin' }]));
    expect(() => loadContracts(dir)).toThrow(ContractError);
    expect(() => loadContracts(dir)).toThrow(/shop\/order\.avsc: Invalid schema: .*strin/);
  });

  test('a file not listed in topics.json, a missing file and a non-record are refused', () => {
    write('topics.json', { orders: 'shop/order.avsc' });
    write('shop/order.avsc', order([{ name: 'id', type: 'string' }]));
    write('shop/stray.avsc', order([]));
    expect(() => loadContracts(dir)).toThrow(/shop\/stray\.avsc is not mapped to any topic/);
    write('topics.json', { orders: 'shop/order.avsc', stray: 'shop/stray.avsc', gone: 'shop/gone.avsc' });
    expect(() => loadContracts(dir)).toThrow(/shop\/gone\.avsc is listed in topics\.json but does not exist/);
    write('topics.json', { orders: 'shop/order.avsc', stray: 'shop/stray.avsc', names: 'shop/names.avsc' });
    write('shop/names.avsc', { type: 'array', items: 'string' });
    expect(() => loadContracts(dir)).toThrow(/shop\/names\.avsc: the top-level type must be a record/);
  });

  test('registers under <topic>-value and fails fast naming the file and field on an incompatible change', async () => {
    write('topics.json', { orders: 'shop/order.avsc' });
    write('shop/order.avsc', order([{ name: 'id', type: 'string' }]));
    const [first] = await registerContracts(registry.url, loadContracts(dir));
    expect(first).toMatchObject({ subject: 'orders-value', file: 'shop/order.avsc' });

    write(
      'shop/order.avsc',
      order([
        { name: 'id', type: 'string' },
        { name: 'total', type: 'long' },
      ]),
    );
    const failure = await registerContracts(registry.url, loadContracts(dir)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContractIncompatibleError);
    expect(failure).toMatchObject({ file: 'shop/order.avsc', field: 'total', subject: 'orders-value' });
    expect((failure as Error).message).toMatch(/shop\/order\.avsc.*"total" has no default/);

    write(
      'shop/order.avsc',
      order([
        { name: 'id', type: 'string' },
        { name: 'total', type: 'long', default: 0 },
      ]),
    );
    const [evolved] = await registerContracts(registry.url, loadContracts(dir));
    expect(evolved.id).not.toBe(first.id);
  });
});
