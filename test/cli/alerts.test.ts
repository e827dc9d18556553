import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Kafka } from 'kafkajs';
import { PartitionReader } from '../../packages/cli/src/fleet/partition-reader';
import { MESH } from '../support/mesh-cli';
import { embeddedBrokerOnly, eventually, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';

// `mesh alerts watch`, the mesh's own evaluator, as production runs it (its own process): an injected failure (an
// instance that went silent without stopping: a crashed consumer) fires once, as a JSON log line and one record on
// mesh.alerts; the evaluator restarted takes it up without announcing it again; the instance back, it resolves once.

interface LogLine {
  level: string;
  msg: string;
  alert?: string;
  subject?: string;
  state?: string;
  firing?: number;
  evaluation?: number;
}

interface Evaluator {
  child: ChildProcess;
  lines: () => LogLine[];
  stop(): Promise<void>;
}

let k: TestKafka;
let kafka: Kafka;
const agent = uniqueName('crashy');
const instance = `${agent}-1`;
const ALERT = 'MeshConsumerCrashed';

function startEvaluator(brokers = k.address): Evaluator {
  // No registry here (port 1 refuses): heartbeats are JSON, and alerts go to mesh.alerts as JSON.
  const child = spawn(process.execPath, [MESH, 'alerts', 'watch', '--brokers', brokers, '--registry', 'http://127.0.0.1:1', '--every', '300ms'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'debug' },
  });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  return {
    child,
    lines: () =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function heartbeat(sentAt: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'mesh.heartbeats',
    messages: [{ key: instance, value: JSON.stringify({ agent, instanceId: instance, host: 'h', pid: 1, status: 'READY', sentAt, topics: [], counters: {} }) }],
  });
  await producer.disconnect();
}

/** Every record of mesh.alerts about this suite's agent, oldest first. */
async function alertRecords(): Promise<Array<{ key: string; state: string; since: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  const reader = new PartitionReader(kafka);
  const found: Array<{ key: string; state: string; since: number }> = [];
  try {
    const ranges = (await admin.fetchTopicOffsets('mesh.alerts')).map((o) => ({ topic: 'mesh.alerts', partition: o.partition, start: BigInt(o.low), end: BigInt(o.high) }));
    await reader.read(ranges, (r) => {
      const value = JSON.parse(r.value!.toString()) as { alert: string; subject: string; state: string; since: number };
      if (value.subject === agent) found.push({ key: `${value.alert}/${value.subject}`, state: value.state, since: value.since });
    });
  } finally {
    await reader.close();
    await admin.disconnect();
  }
  return found;
}

/** Resolves once the evaluator has evaluated `count` more times than it had when called. */
async function evaluations(e: Evaluator, count: number): Promise<void> {
  const last = () => Math.max(0, ...e.lines().map((l) => (l.msg === 'alerts evaluated' ? (l.evaluation ?? 0) : 0)));
  const from = last();
  await eventually(() => (last() >= from + count ? true : undefined), `${count} evaluations`, 20_000);
}

const announced = (e: Evaluator, state: string) => e.lines().filter((l) => l.alert === ALERT && l.subject === agent && l.state === state);

beforeAll(async () => {
  k = await testKafka();
  kafka = kafkaFor({ address: k.address });
  // The failure: the instance's last word was 30 s ago, and it never said it was stopping.
  await heartbeat(Date.now() - 30_000);
}, 30_000);

afterAll(() => k?.stop());

describe('mesh alerts watch', () => {
  it('announces a crashed consumer once, takes it up again after a restart without a second announcement, and resolves it once', async () => {
    const first = startEvaluator();
    try {
      await eventually(() => (announced(first, 'FIRING').length > 0 ? true : undefined), 'the alert firing as a log line', 20_000);
      expect(announced(first, 'FIRING')[0]).toMatchObject({ level: 'error', msg: expect.stringMatching(new RegExp(`^alert firing: ${ALERT} ${agent}: `)) as unknown });
      // Evaluated again and again, it is announced once.
      await evaluations(first, 3);
      expect(announced(first, 'FIRING')).toHaveLength(1);
    } finally {
      await first.stop();
    }
    const fired = await alertRecords();
    expect(fired).toEqual([{ key: `${ALERT}/${agent}`, state: 'FIRING', since: expect.any(Number) as unknown }]);

    const second = startEvaluator();
    try {
      await evaluations(second, 3);
      // It took the alert up from mesh.alerts (firing since the first run said), and did not announce it again.
      expect(second.lines().find((l) => l.msg === 'alerts evaluated')).toMatchObject({ evaluation: 1, firing: expect.any(Number) as unknown });
      expect(second.lines().find((l) => l.msg === 'alerts evaluated')!.firing).toBeGreaterThanOrEqual(1);
      expect(announced(second, 'FIRING')).toEqual([]);
      expect(await alertRecords()).toEqual(fired);

      // The instance is back: the alert resolves, once.
      await heartbeat(Date.now());
      await eventually(() => (announced(second, 'RESOLVED').length > 0 ? true : undefined), 'the alert resolved as a log line', 20_000);
      await evaluations(second, 3);
      expect(announced(second, 'RESOLVED')).toHaveLength(1);
    } finally {
      await second.stop();
    }
    expect((await alertRecords()).map((r) => r.state)).toEqual(['FIRING', 'RESOLVED']);
  }, 90_000);

  it('on a cluster with no mesh, says so in one line and keeps trying', async () => {
    const empty = await embeddedBrokerOnly('a cluster with nothing on it');
    const evaluator = startEvaluator(empty.address);
    try {
      const said = () => evaluator.lines().filter((l) => l.msg.startsWith(`no mesh on ${empty.address}: the topic mesh.heartbeats does not exist`));
      await eventually(() => (said().length > 0 ? true : undefined), 'the no-mesh line', 20_000);
      expect(said()[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('(trying again every 0.3 s)') as unknown });
      // Told once, not at every try (later ones are debug lines); the evaluator runs on.
      await eventually(() => (evaluator.lines().filter((l) => l.msg === 'the mesh still cannot be read').length >= 2 ? true : undefined), 'two more tries', 20_000);
      expect(said()).toHaveLength(1);
      expect(evaluator.child.exitCode).toBeNull();
    } finally {
      await evaluator.stop();
      await empty.stop();
    }
  }, 40_000);
});
