import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunningBroker } from '@agentmesh/broker';
import { eventually, kafkaFor, startTestBroker, uniqueName } from '../support/kafka';

// The broker checked by a client we did not write: kcat, on librdkafka.
// CI installs kcat (.ci/run); without it this suite fails, on purpose, with the reason.

const run = promisify(execFile);
const KCAT = 'kcat';

let broker: RunningBroker;

beforeAll(async () => {
  const probe = spawnSync(KCAT, ['-V']);
  if (probe.error) throw new Error(`kcat is not installed (apt-get install -y kcat); it checks the broker with librdkafka: ${probe.error.message}`);
  broker = await startTestBroker({ defaultPartitions: 4 });
});

afterAll(() => broker?.stop());

const kcat = (args: string[], input?: string) => {
  const child = run(KCAT, ['-b', broker.address, ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return child;
};

interface KcatMetadata {
  brokers: Array<{ id: number; name: string }>;
  controllerid: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number }> }>;
}

describe('kcat (librdkafka) against the broker', () => {
  it('reads metadata: one broker, the controller, leader of every partition', async () => {
    const topic = uniqueName('kc-meta');
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await admin.disconnect();
    const { stdout } = await kcat(['-L', '-J', '-t', topic]);
    const meta = JSON.parse(stdout) as KcatMetadata;
    expect(meta.brokers).toEqual([{ id: 1, name: broker.address }]);
    expect(meta.controllerid).toBe(1);
    expect(meta.topics[0]!.partitions.map((p) => [p.partition, p.leader])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  it('produces and consumes 10,000 messages', async () => {
    const topic = uniqueName('kc-bulk');
    const lines = Array.from({ length: 10_000 }, (_, i) => `key${i}:value-${i}`);
    await kcat(['-P', '-t', topic, '-K', ':', '-z', 'gzip'], lines.join('\n') + '\n');
    const { stdout } = await kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\\n']);
    const got = stdout.split('\n').filter(Boolean);
    expect(got).toHaveLength(10_000);
    expect(new Set(got)).toEqual(new Set(lines));
  });

  it('lets two -G members of one group split the partitions', async () => {
    const topic = uniqueName('kc-group');
    const group = uniqueName('kc-g');
    const admin = kafkaFor(broker).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    await admin.disconnect();
    const members: Array<{ child: ChildProcess; out: string; err: string }> = [];
    try {
      for (let i = 0; i < 2; i++) {
        const child = spawn(KCAT, ['-b', broker.address, '-u', '-G', group, '-o', 'beginning', '-f', '%p %s\\n', '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=500', topic]);
        const member = { child, out: '', err: '' };
        child.stdout!.on('data', (d: Buffer) => (member.out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (member.err += d.toString()));
        members.push(member);
      }
      // librdkafka logs each assignment on stderr: "% Group ... rebalanced ... assigned: topic [0], topic [2]".
      const assigned = (m: { err: string }): number[] | undefined => {
        const all = [...m.err.matchAll(/assigned: ([^\n]*)/g)];
        const last = all[all.length - 1];
        if (!last) return undefined;
        return [...last[1]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
      };
      const split = await eventually(
        () => {
          const a = assigned(members[0]!);
          const b = assigned(members[1]!);
          return a && b && a.length > 0 && b.length > 0 && a.length + b.length === 4 ? [a, b] : undefined;
        },
        'both kcat members to be assigned partitions',
        30_000,
      );
      expect([...split[0]!, ...split[1]!].sort()).toEqual([0, 1, 2, 3]);

      const producer = kafkaFor(broker).producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: `m${i}` })) });
      await producer.disconnect();
      const received = await eventually(
        () => {
          const rows = members.map((m) =>
            m.out
              .split('\n')
              .filter(Boolean)
              .map((l) => l.split(' ')),
          );
          return rows[0]!.length + rows[1]!.length >= 40 ? rows : undefined;
        },
        'all 40 messages across both members',
        30_000,
      );
      // Each member saw only the partitions it was assigned, and together they saw every message once.
      for (const [i, rows] of received.entries()) for (const r of rows) expect(split[i]).toContain(Number(r[0]));
      expect(
        received
          .flat()
          .map((r) => r[1])
          .sort(),
      ).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`).sort());
    } finally {
      for (const m of members) m.child.kill('SIGKILL');
    }
  });
});
