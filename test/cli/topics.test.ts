import { runMesh, type FinishedCommand } from '../support/mesh-cli';
import type { Kafka } from 'kafkajs';
import { kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';

// `mesh topics` and `mesh tail` as an operator runs them: the built CLI in its own
// process, against an embedded broker started here; records are written with kafkajs.

let broker: TestKafka;
let kafka: Kafka;
const topic = uniqueName('tail');
const at = () => ['--brokers', broker.address];
const mesh = (args: string[]): Promise<FinishedCommand> => runMesh([...args, ...at()], {}, 45_000);

interface TailJson {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  value: { encoding: string; value?: unknown; text?: string };
}

const lines = (out: string): TailJson[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TailJson);

beforeAll(async () => {
  broker = await testKafka();
  kafka = kafkaFor(broker);
}, 30_000);

afterAll(() => broker?.stop());

describe('mesh topics and mesh tail', () => {
  it('creates, lists and describes a topic', async () => {
    const created = await mesh(['topics', 'create', topic, '--partitions', '1', '--config', 'retention.ms=86400000']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toBe(`created topic ${topic} with 1 partition\n`);

    const again = await mesh(['topics', 'create', topic]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`mesh: topic '${topic}' already exists\n`);

    const ls = await mesh(['topics', 'ls', '--json']);
    expect(ls.code).toBe(0);
    expect(lines(ls.stdout) as unknown[]).toContainEqual({ topic, partitions: 1 });

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'k-0', value: JSON.stringify({ n: 0 }), headers: { source: 'test-0' } },
        { key: 'k-1', value: 'plain text', headers: { source: 'test-1', extra: 'x' } },
        { key: null, value: JSON.stringify({ n: 2 }) },
        { key: 'k-3', value: JSON.stringify({ n: 3 }) },
      ],
    });
    await producer.disconnect();

    const described = await mesh(['topics', 'describe', topic, '--json']);
    expect(described.code).toBe(0);
    const d = JSON.parse(described.stdout) as { topic: string; partitions: Array<{ partition: number; low: string; high: string }> };
    expect(d.topic).toBe(topic);
    expect(d.partitions).toEqual([expect.objectContaining({ partition: 0, low: '0', high: '4' })]);

    const text = await mesh(['topics', 'describe', topic]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`topic: ${topic}`);
    expect(text.stdout).toMatch(/^ {2}0\s+\S+\s+\S+\s+0\s+4$/m);
  }, 90_000);

  it('tails from the beginning with --max, as text and as JSON', async () => {
    const json = await mesh(['tail', topic, '--from', 'beginning', '--max', '3', '--json', '--schemaless']);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const records = lines(json.stdout);
    expect(records.map((r) => [r.offset, r.key, r.headers])).toEqual([
      ['0', 'k-0', { source: 'test-0' }],
      ['1', 'k-1', { source: 'test-1', extra: 'x' }],
      ['2', null, {}],
    ]);
    expect(records[0]!.value).toEqual({ encoding: 'json', value: { n: 0 } });
    expect(records[1]!.value).toEqual({ encoding: 'utf8', text: 'plain text' });
    expect(records[0]!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const text = await mesh(['consume', topic, '--from', 'beginning', '--max', '3']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain(`── ${topic} partition 0 offset 0 at `);
    expect(text.stdout).toContain('key:     k-0\nheaders: source=test-0\nvalue (json):\n  {\n    "n": 0\n  }\n');
    expect(text.stdout).toContain('key:     k-1\nheaders: source=test-1, extra=x\nvalue (text):\n  plain text\n');
    expect(text.stdout).not.toContain('offset 3');
  }, 60_000);

  it('tails from an offset to the current end, and from the end reads nothing', async () => {
    const fromOffset = await mesh(['tail', topic, '--from', '2', '--json', '--schemaless']);
    expect(fromOffset.code).toBe(0);
    expect(lines(fromOffset.stdout).map((r) => r.offset)).toEqual(['2', '3']);

    const fromEnd = await mesh(['tail', topic, '--from', 'end', '--json', '--schemaless']);
    expect(fromEnd).toMatchObject({ code: 0, stdout: '' });
  }, 60_000);

  it('fails with one line on an unknown topic or a bad --from', async () => {
    const missing = await mesh(['tail', 'no-such-topic-here', '--from', 'beginning']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("mesh: topic 'no-such-topic-here' does not exist\n");

    const bad = await mesh(['tail', topic, '--from', 'yesterday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n')[0]).toContain("'yesterday' is not beginning, end, an offset, or a time");
  }, 60_000);
});
