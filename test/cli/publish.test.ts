import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { MESH, runMesh, type FinishedCommand } from '../support/mesh-cli';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, Kafka } from 'kafkajs';
import { loadContracts, registerContracts } from '@agentmesh/schema-registry';
import { kafkaFor, testKafka, uniqueName, type CollectedMessage, type TestKafka } from '../support/kafka';

// `mesh publish` as an operator runs it: the built CLI in its own process, against a
// broker and registry started here; what it wrote is read back with kafkajs.

/** Runs the CLI to completion; fails if it has not exited within `timeoutMs`. */
async function mesh(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<FinishedCommand> {
  return runMesh(args, env, timeoutMs);
}

/** Runs the CLI with `input` on its standard input; fails if it has not exited within `timeoutMs`. */
async function meshWithStdin(args: string[], input: string, timeoutMs = 60_000): Promise<FinishedCommand> {
  const child = spawn(process.execPath, [MESH, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const PUBLISHED = /^published (\S+) to (\S+) partition (\d+) offset (\d+) trace ([0-9a-f]{32})\n$/;

let broker: TestKafka;
let registry: { url: string };
let kafka: Kafka;
let decoder: SchemaRegistry;
const consumers: Consumer[] = [];
const tmp: string[] = [];

beforeAll(async () => {
  broker = await testKafka();
  registry = { url: await broker.registryUrl() };
  await registerContracts(registry.url, loadContracts());
  kafka = kafkaFor(broker);
  decoder = new SchemaRegistry({ host: registry.url });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  await broker?.stop();
  tmp.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const at = () => ['--brokers', broker.address, '--registry', registry.url];

/** Reads the record at `partition`/`offset` of `topic`, or fails after `timeoutMs`. */
async function recordAt(topic: string, partition: number, offset: string, timeoutMs = 20_000): Promise<CollectedMessage> {
  const consumer = kafka.consumer({ groupId: uniqueName('publish-test') });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  return new Promise<CollectedMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no record at ${topic}/${partition}@${offset} within ${timeoutMs} ms`)), timeoutMs);
    consumer
      .run({
        eachMessage: async ({ partition: p, message }) => {
          if (p !== partition || message.offset !== offset) return;
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          resolve({ topic, partition: p, offset: message.offset, key: message.key, value: message.value, headers });
        },
      })
      .catch(reject);
  });
}

/** Every record of `topic` from the given offsets on, or fails after `timeoutMs`. */
async function recordsFrom(topic: string, from: string[], count: number, timeoutMs = 30_000): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('publish-test') });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const seen: CollectedMessage[] = [];
  return new Promise<CollectedMessage[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${seen.length} of ${count} records of ${topic} within ${timeoutMs} ms`)), timeoutMs);
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (BigInt(message.offset) < BigInt(from[partition] ?? '0')) return;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          seen.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers });
          if (seen.length === count) {
            clearTimeout(timer);
            resolve(seen);
          }
        },
      })
      .catch(reject);
  });
}

const added = (before: string[], after: string[]) => after.reduce((n, high, i) => n + Number(high) - Number(before[i] ?? '0'), 0);

async function endOffsets(topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((p) => p.high);
  } finally {
    await admin.disconnect();
  }
}

const invoice = {
  invoiceId: 'inv-42',
  source: 'UPLOAD',
  documentUri: 'file:///inbox/inv-42.pdf',
  contentType: 'application/pdf',
  receivedAt: 1_700_000_000_000,
  senderEmail: null,
};

describe('mesh publish', () => {
  it("encodes with the topic's schema and prints the event id, partition and offset", async () => {
    const run = await mesh(['publish', 'invoices.received', '--value', JSON.stringify(invoice), '--key', 'inv-42', '--header', 'source-system=cli-test', ...at()]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [, eventId, topic, partition, offset, traceId] = PUBLISHED.exec(run.stdout)!;
    expect(topic).toBe('invoices.received');
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    const record = await recordAt('invoices.received', Number(partition), offset!);
    expect(record.key?.toString()).toBe('inv-42');
    expect(await decoder.decode(record.value!)).toEqual(invoice);
    const { traceparent, ...rest } = record.headers;
    expect(rest).toEqual({ 'mesh-event-id': eventId, 'mesh-correlation-id': eventId, 'source-system': 'cli-test' });
    // The printed trace id is the one the record carries, so an operator can look it up in Jaeger.
    expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
  });

  it('takes the value from a file, ids from --header, and endpoints from the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-publish-'));
    tmp.push(dir);
    const file = join(dir, 'invoice.json');
    writeFileSync(file, JSON.stringify({ ...invoice, invoiceId: 'inv-43', senderEmail: 'ap@example.com' }));
    const run = await mesh(['publish', 'invoices.received', '--file', file, '--header', 'mesh-event-id=evt-43', '--header', 'mesh-correlation-id=order-7'], {
      KAFKA_BROKERS: broker.address,
      SCHEMA_REGISTRY_URL: registry.url,
    });
    expect(run.code).toBe(0);
    const [, eventId, , partition, offset] = PUBLISHED.exec(run.stdout)!;
    expect(eventId).toBe('evt-43');
    const record = await recordAt('invoices.received', Number(partition), offset!);
    expect(record.key).toBeNull();
    expect(record.headers).toEqual({ 'mesh-event-id': 'evt-43', 'mesh-correlation-id': 'order-7', traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-/) as unknown });
    expect(await decoder.decode(record.value!)).toMatchObject({ invoiceId: 'inv-43', senderEmail: 'ap@example.com' });
  });

  it('refuses a value that does not fit the schema with one line naming the field, and publishes nothing', async () => {
    const before = await endOffsets('invoices.received');
    const run = await mesh(['publish', 'invoices.received', '--value', JSON.stringify({ ...invoice, receivedAt: 'yesterday' }), ...at()]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `mesh: value for topic 'invoices.received' does not fit its schema: field 'receivedAt' expected long, got "yesterday"\n`,
    });
    expect(await endOffsets('invoices.received')).toEqual(before);
  });

  it('names a misspelt field instead of dropping it', async () => {
    const { senderEmail: _senderEmail, ...rest } = invoice;
    const run = await mesh(['publish', 'invoices.received', '--value', JSON.stringify({ ...rest, senderEmial: 'x@example.com' }), ...at()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mesh: value for topic 'invoices\.received' does not fit its schema: field 'senderEmial' is not in schema InvoiceReceived \(its fields: .*\)\n$/);
  });

  it('names the JSON problem of a malformed --value', async () => {
    const run = await mesh(['publish', 'invoices.received', '--value', '{"invoiceId": ', ...at()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mesh: --value is not valid JSON: .+\n$/);
  });

  it('refuses a topic with no schema, suggesting --json, and publishes schemaless JSON with --json', async () => {
    const topic = uniqueName('scratch');
    const refused = await mesh(['publish', topic, '--value', '{"hello":"world"}', ...at()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `mesh: no schema is registered for topic '${topic}' (subject '${topic}-value' at ${registry.url}); register its contract (mesh dev registers schemas/), or publish schemaless JSON with --json\n`,
    );

    const run = await mesh(['publish', topic, '--value', '{"hello":"world"}', '--json', '--brokers', broker.address]);
    expect(run.code).toBe(0);
    const [, eventId, , partition, offset] = PUBLISHED.exec(run.stdout)!;
    const record = await recordAt(topic, Number(partition), offset!);
    expect(JSON.parse(record.value!.toString('utf8'))).toEqual({ hello: 'world' });
    expect(record.headers['mesh-event-id']).toBe(eventId);
  });

  it('gives up on an unreachable broker with one clear line', async () => {
    const run = await mesh(['publish', 'invoices.received', '--value', JSON.stringify(invoice), '--brokers', '127.0.0.1:1', '--registry', registry.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mesh: could not publish to invoices\.received on 127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/);
  });

  it('says so when the registry is unreachable', async () => {
    const run = await mesh(['publish', 'invoices.received', '--value', JSON.stringify(invoice), '--brokers', broker.address, '--registry', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mesh: schema registry at http:\/\/127\.0\.0\.1:1 failed: .*ECONNREFUSED.*; is it running\?.*\n$/);
  });

  it.each([
    [['publish', 'invoices.received'], /^mesh: give the event value with --value JSON, or events with --file PATH \(JSON Lines; - reads standard input\)\n$/],
    [['publish', 'invoices.received', '--value', '{}', '--file', 'x.json'], /option '--value <json>' cannot be used with option '--file <path>'/],
    [['publish', 'invoices.received', '--value', '{}', '--header', 'no-equals-sign'], /'no-equals-sign' is not a header; write it as name=value/],
    [['publish', 'no spaces', '--value', '{}'], /'no spaces' is not a Kafka topic name/],
    [['publish', 'invoices.received', '--value', '{}', '--brokers', 'nohost'], /'nohost' is not a host:port broker list/],
    [['publish', 'invoices.received', '--value', '{}', '--json', '--registry', 'http://127.0.0.1:8081'], /option '--registry <url>' cannot be used with option '--json'/],
    [['publish', 'invoices.received', '--file', '/no/such/file.json'], /^mesh: cannot read --file \/no\/such\/file\.json: ENOENT/],
  ])('rejects %j with a clear message and no stack', async (args, message) => {
    const run = await mesh(args);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  describe('--file (JSON Lines) and stdin', () => {
    const SUMMARY = /^published (\d+) events? to (\S+) in \d+\.\d s \((\d+) events\/s\)(?:; skipped (\d+) invalid lines?)?\n$/;
    const jsonl = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
    const inv = (i: number) => ({ ...invoice, invoiceId: `inv-m${i}` });

    function writeLines(name: string, lines: unknown[]): string {
      const dir = mkdtempSync(join(tmpdir(), 'mesh-publish-'));
      tmp.push(dir);
      const file = join(dir, name);
      writeFileSync(file, jsonl(lines));
      return file;
    }

    it('publishes every line in order: bare values and envelopes with their keys and headers, each its own event and trace', async () => {
      const lines: unknown[] = [];
      for (let i = 0; i < 300; i++) lines.push(i % 3 === 0 ? { value: inv(i), key: `k${i % 7}`, headers: { line: String(i + 1) } } : inv(i));
      const file = writeLines('many.jsonl', lines);
      const before = await endOffsets('invoices.received');
      const run = await mesh(['publish', 'invoices.received', '--file', file, '--header', 'source-system=bulk', ...at()], {}, 60_000);
      expect(run.code).toBe(0);
      const [, count, topic] = SUMMARY.exec(run.stdout)!;
      expect([count, topic]).toEqual(['300', 'invoices.received']);
      expect(added(before, await endOffsets('invoices.received'))).toBe(300);

      const records = await recordsFrom('invoices.received', before, 300);
      const byInvoice = new Map<string, CollectedMessage>();
      for (const r of records) byInvoice.set(((await decoder.decode(r.value!)) as { invoiceId: string }).invoiceId, r);
      expect(byInvoice.size).toBe(300);
      const enveloped = byInvoice.get('inv-m3')!;
      expect(enveloped.key?.toString()).toBe('k3');
      expect(enveloped.headers).toMatchObject({ line: '4', 'source-system': 'bulk' });
      const bare = byInvoice.get('inv-m4')!;
      expect(bare.key).toBeNull();
      expect(bare.headers['mesh-correlation-id']).toBe(bare.headers['mesh-event-id']);
      expect(new Set(records.map((r) => r.headers['mesh-event-id'])).size).toBe(300);
      expect(new Set(records.map((r) => r.headers.traceparent!.split('-')[1])).size).toBe(300);
      // One key's events keep the file's order on their partition.
      const k3 = records.filter((r) => r.key?.toString() === 'k3').map((r) => Number(r.headers.line));
      expect(k3).toEqual([...k3].sort((a, b) => a - b));
    });

    it('reads standard input with --file -', async () => {
      const before = await endOffsets('invoices.received');
      const run = await meshWithStdin(['publish', 'invoices.received', '--file', '-', ...at()], jsonl([inv(1000), inv(1001), inv(1002)]));
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(SUMMARY.exec(run.stdout)?.[1]).toBe('3');
      expect(added(before, await endOffsets('invoices.received'))).toBe(3);
    });

    it('checks every line first: invalid lines are named by number and nothing is published', async () => {
      const file = writeLines('bad.jsonl', [inv(2000), '{"invoiceId": ', inv(2001), { ...inv(2002), receivedAt: 'yesterday' }, inv(2003)]);
      const before = await endOffsets('invoices.received');
      const run = await mesh(['publish', 'invoices.received', '--file', file, ...at()]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^mesh: ${file} line 2: not valid JSON: `)),
        `mesh: ${file} line 4: value for topic 'invoices.received' does not fit its schema: field 'receivedAt' expected long, got "yesterday"`,
        `mesh: 2 of 5 events in ${file} are not valid; nothing was published (fix them, or pass --skip-invalid to publish the valid ones)`,
        '',
      ]);
      expect(await endOffsets('invoices.received')).toEqual(before);

      const skipping = await mesh(['publish', 'invoices.received', '--file', file, '--skip-invalid', ...at()]);
      expect(skipping.code).toBe(0);
      const [, count, , , skipped] = SUMMARY.exec(skipping.stdout)!;
      expect([count, skipped]).toEqual(['3', '2']);
      expect(skipping.stderr).toMatch(/line 2: .*\n.*line 4: /);
      expect(added(before, await endOffsets('invoices.received'))).toBe(3);
    });

    it('refuses one --header event id for many events, and an empty input', async () => {
      const file = writeLines('two.jsonl', [inv(3000), inv(3001)]);
      const run = await mesh(['publish', 'invoices.received', '--file', file, '--header', 'mesh-event-id=same', ...at()]);
      expect(run).toMatchObject({ code: 1, stderr: `mesh: --header mesh-event-id would give all 2 events one id; give each line its own in "headers"\n` });
      const empty = await meshWithStdin(['publish', 'invoices.received', '--file', '-', ...at()], '\n');
      expect(empty).toMatchObject({ code: 1, stderr: 'mesh: stdin holds no events (one JSON value, or {"value": ..., "key": ..., "headers": {...}}, per line)\n' });
    });
  });
});
