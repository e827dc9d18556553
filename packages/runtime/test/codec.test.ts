import { randomBytes } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { loadContracts, registerContracts, startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { EncodeError, InvalidInputError, RegistryCodec, SchemaNotFoundError, SchemaRegistryUnavailableError, valueSubject } from '@agentmesh/runtime';
import { NOT_READY } from '@agentmesh/runtime/internal';

// The registry codec against the embedded registry (in memory) with real Avro bytes.

let registry: RunningSchemaRegistry;

beforeAll(async () => {
  registry = await startSchemaRegistry({ port: 0 });
  await registerContracts(registry.url, loadContracts());
});
afterAll(() => registry.stop());

const invoice = {
  invoiceId: 'inv-1',
  source: 'EMAIL',
  documentUri: 's3://inbox/inv-1.pdf',
  contentType: 'application/pdf',
  receivedAt: 1_700_000_000_000,
  senderEmail: 'ap@supplier.example',
};

async function registerSchema(subject: string, schema: object): Promise<number> {
  const response = await fetch(`${registry.url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  const body = (await response.json()) as { id?: number; message?: string };
  if (!response.ok || body.id === undefined) throw new Error(`registering ${subject}: ${response.status} ${body.message}`);
  return body.id;
}

const uniqueTopic = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('RegistryCodec', () => {
  it("round-trips a value in the Confluent wire format with the topic's latest schema", async () => {
    const codec = new RegistryCodec({ url: registry.url });
    const bytes = await codec.encode('invoices.received', invoice);
    const latestId = (await codec.latestSchema('invoices.received'))!.id;
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(latestId);
    expect(await codec.decode('invoices.received', bytes)).toEqual(invoice);
  });

  it('speaks the same bytes as @kafkajs/confluent-schema-registry, both ways', async () => {
    const codec = new RegistryCodec({ url: registry.url });
    const other = new SchemaRegistry({ host: registry.url });
    const ours = await codec.encode('invoices.received', invoice);
    expect(await other.decode(ours)).toEqual(invoice);
    const theirs = await other.encode(await other.getLatestSchemaId(valueSubject('invoices.received')), { ...invoice, senderEmail: null });
    expect(await codec.decode('invoices.received', theirs)).toEqual({ ...invoice, senderEmail: null });
  });

  it('writes values of every size the same way once the schema is known, small ones and those larger than its scratch buffer', async () => {
    const codec = new RegistryCodec({ url: registry.url });
    const other = new SchemaRegistry({ host: registry.url });
    // The first encode and decode fetch the schemas; from then on both can be done at once.
    await codec.decode('invoices.received', await codec.encode('invoices.received', invoice));
    for (const size of [0, 100, 70_000, 300_000]) {
      const value = { ...invoice, invoiceId: 'x'.repeat(size) };
      const ours = codec.encodeNow('invoices.received', value);
      expect(ours).not.toBe(NOT_READY);
      expect(await other.decode(ours as Buffer)).toEqual(value);
      expect(codec.decodeNow('invoices.received', ours as Buffer)).toEqual(value);
    }
  });

  it("asks the registry for a topic's schema once for a burst of messages, not per message", async () => {
    const client = new SchemaRegistry({ host: registry.url });
    const lookups = jest.spyOn(client, 'getLatestSchemaId');
    const codec = new RegistryCodec({ url: registry.url, client });
    const encoded = await Promise.all(Array.from({ length: 50 }, (_, i) => codec.encode('invoices.received', { ...invoice, invoiceId: `inv-${i}` })));
    await Promise.all(encoded.map((bytes) => codec.decode('invoices.received', bytes)));
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('refuses a value that does not fit with EncodeError naming the field and the expected type', async () => {
    const codec = new RegistryCodec({ url: registry.url });
    const error = await rejection(codec.encode('invoices.received', { ...invoice, receivedAt: '2024-01-01' }));
    expect(error).toBeInstanceOf(EncodeError);
    expect(error).toMatchObject({ topic: 'invoices.received', field: 'receivedAt', expected: 'long' });
    expect(error.message).toBe(`value for topic 'invoices.received' does not fit its schema: field 'receivedAt' expected long, got "2024-01-01"`);

    const nested = await rejection(
      codec.encode('invoices.extracted', {
        invoiceId: 'i',
        supplierName: 's',
        invoiceNumber: 'n',
        currency: 'EUR',
        totalMinor: 100,
        confidence: 0.9,
        lines: [{ description: 'd', quantity: '2', unitPriceMinor: 50 }],
      }),
    );
    expect(nested).toMatchObject({ field: 'lines[0].quantity', expected: 'double' });
    expect(nested.message).toContain(`field 'lines[0].quantity' expected double, got "2"`);
  });

  it('fails encode with SchemaNotFoundError for a topic with no subject', async () => {
    const topic = uniqueTopic('no-contract');
    const error = await rejection(new RegistryCodec({ url: registry.url }).encode(topic, { a: 1 }));
    expect(error).toBeInstanceOf(SchemaNotFoundError);
    expect(error.message).toBe(`no schema is registered for topic '${topic}' (subject '${topic}-value' at ${registry.url})`);
  });

  it('turns an unknown schema id into InvalidInputError', async () => {
    const bytes = Buffer.from([0, 0, 0, 0x10, 0x92, 1, 2, 3]); // schema id 4242
    const error = await rejection(new RegistryCodec({ url: registry.url }).decode('invoices.received', bytes));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^unknown schema id 4242\b/);
  });

  it.each([
    ['plain JSON', Buffer.from(JSON.stringify(invoice)), /not in the Confluent wire format \(magic byte 0x7b/],
    ['random bytes', Buffer.from([0x9c, 0x01, 0xff, 0x42, 0x00, 0x13]), /not in the Confluent wire format \(magic byte 0x9c/],
    ['a null value', null, /no value/],
    ['an empty value', Buffer.alloc(0), /empty/],
  ])('turns %s into InvalidInputError', async (_what, bytes, reason) => {
    const error = await rejection(new RegistryCodec({ url: registry.url }).decode('invoices.received', bytes));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(reason);
  });

  it('turns a body that does not fit its writer schema into InvalidInputError', async () => {
    const codec = new RegistryCodec({ url: registry.url });
    const good = await codec.encode('invoices.received', invoice);
    for (const bad of [good.subarray(0, good.length - 3), Buffer.concat([good, Buffer.from([1, 2])])]) {
      const error = await rejection(codec.decode('invoices.received', bad));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/^the record body does not fit its writer schema \(id \d+\): (truncated buffer|trailing data)/);
    }
  });

  it("refuses, as invalid input, a record written with another topic's schema", async () => {
    const codec = new RegistryCodec({ url: registry.url });
    const signup = await codec.encode('accounts.signups', {
      accountId: 'a-1',
      email: 'a@example.com',
      displayName: 'A',
      plan: 'TEAM',
      referralCode: null,
      requestedAt: 1,
    });
    const error = await rejection(codec.decode('invoices.received', signup));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^schema id \d+ does not fit topic 'invoices\.received': it cannot be read as the topic's schema/);
  });

  describe("when a topic's schema evolves (a new field with a default)", () => {
    const v1 = { type: 'record', name: 'Ticket', namespace: 'io.agentmesh.test', fields: [{ name: 'id', type: 'string' }] };
    const v2 = { ...v1, fields: [...v1.fields, { name: 'priority', type: 'int', default: 3 }] };

    it('decodes old records into the new shape, with the default', async () => {
      const topic = uniqueTopic('tickets');
      await registerSchema(valueSubject(topic), v1);
      const old = await new RegistryCodec({ url: registry.url }).encode(topic, { id: 't-1' });
      const v2Id = await registerSchema(valueSubject(topic), v2);

      const codec = new RegistryCodec({ url: registry.url });
      expect(await codec.decode(topic, old)).toEqual({ id: 't-1', priority: 3 });
      const fresh = await codec.encode(topic, { id: 't-2', priority: 1 });
      expect(fresh.readInt32BE(1)).toBe(v2Id);
      expect(await codec.decode(topic, fresh)).toEqual({ id: 't-2', priority: 1 });
    });

    it("keeps a topic's schema for its time to live, and looks again at once when a value needs the newer one", async () => {
      const topic = uniqueTopic('tickets');
      const v1Id = await registerSchema(valueSubject(topic), v1);
      let now = 0;
      const codec = new RegistryCodec({ url: registry.url, latestSchemaTtlMs: 1_000, now: () => now });
      expect((await codec.encode(topic, { id: 'a' })).readInt32BE(1)).toBe(v1Id);
      const v2Id = await registerSchema(valueSubject(topic), v2);

      now = 500; // still within the TTL: the cached v1 is used
      expect((await codec.encode(topic, { id: 'b' })).readInt32BE(1)).toBe(v1Id);
      // A value only v2 accepts makes the codec look again instead of refusing it.
      expect((await codec.encode(topic, { id: 'c', priority: 1 })).readInt32BE(1)).toBe(v2Id);
      now = 2_000;
      expect((await codec.encode(topic, { id: 'd' })).readInt32BE(1)).toBe(v2Id);
    });
  });

  it('reports an unreachable registry as SchemaRegistryUnavailableError, not as bad input', async () => {
    const codec = new RegistryCodec({ url: 'http://127.0.0.1:1', retries: 0, requestTimeoutMs: 2_000 });
    const decoding = await rejection(codec.decode('invoices.received', Buffer.from([0, 0, 0, 0, 1, 2])));
    expect(decoding).toBeInstanceOf(SchemaRegistryUnavailableError);
    expect(decoding).not.toBeInstanceOf(InvalidInputError);
    expect(decoding.message).toMatch(/^schema registry at http:\/\/127\.0\.0\.1:1 failed: could not get schema id 1: .*ECONNREFUSED/);
    await expect(codec.encode('invoices.received', invoice)).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
  });
});
