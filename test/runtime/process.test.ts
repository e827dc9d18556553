import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Header } from '@agentmesh/runtime';
import { eventually, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { json } from './support';
import { TEST_REDIS_URL } from '../support/redis';

// Agents as operators run them: `mesh run` processes, stopped by SIGTERM or killed with -9.

const MESH = resolve(__dirname, '../../packages/cli/bin/mesh.js');
const FIXTURE = resolve(__dirname, 'fixtures/relay-agent.js');

let broker: TestKafka;
let kafka: Kafka;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  broker = await testKafka({ partitions: 4 });
  kafka = kafkaFor(broker);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await broker.stop();
});

interface AgentProcess {
  child: ChildProcess;
  stdout(): string;
  observabilityUrl: string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

async function runAgent(env: Record<string, string>, extra: string[] = []): Promise<AgentProcess> {
  const child = spawn(process.execPath, [MESH, 'run', FIXTURE, '--brokers', broker.address, '--json', '--redis', TEST_REDIS_URL, '--session-timeout', '3000', ...extra], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void exit.then(() => children.delete(child));
  const m = await eventually(
    () => /ready: .* at (http:\/\/\S+)/.exec(err) ?? (child.exitCode !== null ? Promise.reject(new Error(`mesh run exited: ${err}`)) : undefined),
    'the agent to be ready',
    30_000,
  );
  return { child, stdout: () => out, observabilityUrl: m[1]!, exit };
}

function relay() {
  const id = uniqueName('p');
  return { RELAY_NAME: `relay-${id}`, RELAY_IN: `in-${id}`, RELAY_OUT: `out-${id}` };
}

async function publish(topic: string, count: number, from = 0): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: json({ n: from + i }), headers: { [Header.eventId]: `${topic}-e${from + i}` } })) });
  await producer.disconnect();
}

/** Output records of `topic`, each with its event id and the input it came from. */
async function outputs(topic: string, atLeast: number, timeoutMs = 30_000): Promise<Array<{ eventId: string; causationId: string }>> {
  const seen: Array<{ eventId: string; causationId: string }> = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push({ eventId: String(message.headers![Header.eventId]), causationId: String(message.headers![Header.causationId]) }) });
  try {
    await eventually(() => (new Set(seen.map((s) => s.causationId)).size >= atLeast ? true : undefined), `${atLeast} distinct outputs on ${topic}`, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

async function committed(group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  await admin.disconnect();
  return t!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

describe('agents as processes', () => {
  it('serves /health, /ready and /metrics', async () => {
    const env = relay();
    const agent = await runAgent(env);
    await publish(env.RELAY_IN, 3);
    await outputs(env.RELAY_OUT, 3);
    expect((await fetch(`${agent.observabilityUrl}/health`)).status).toBe(200);
    const ready = await fetch(`${agent.observabilityUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { group: { ok: true }, idempotency: { ok: true } } });
    const metrics = await (await fetch(`${agent.observabilityUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`mesh_events_total\\{agent="${env.RELAY_NAME}",outcome="processed"\\} 3`));
    expect(metrics).toContain('mesh_handler_duration_seconds_bucket');
    agent.child.kill('SIGTERM');
    expect(await agent.exit).toEqual([0, null]);
  });

  it('on SIGTERM finishes the handler in flight, commits, and exits 0', async () => {
    const env = { ...relay(), RELAY_SLOW_MS: '1500' };
    const agent = await runAgent(env);
    await publish(env.RELAY_IN, 1);
    await eventually(() => (agent.stdout().includes('handling k0') ? true : undefined), 'the handler to start');
    agent.child.kill('SIGTERM');
    expect(await agent.exit).toEqual([0, null]);
    // The in-flight event was finished and its offset committed: nobody will handle it again.
    const out = await outputs(env.RELAY_OUT, 1);
    expect(out).toHaveLength(1);
    expect(await committed(env.RELAY_NAME, env.RELAY_IN)).toBe(1);
  });

  it('loses nothing and repeats no effect when an agent is killed with -9 mid-stream and restarted', async () => {
    const env = { ...relay(), RELAY_SLOW_MS: '30' };
    const first = await runAgent(env);
    await publish(env.RELAY_IN, 60);
    await eventually(() => ((first.stdout().match(/handling/g) ?? []).length >= 15 ? true : undefined), 'some events to be handled');
    first.child.kill('SIGKILL');
    await first.exit;
    await runAgent(env);
    const out = await outputs(env.RELAY_OUT, 60, 45_000);
    // A record may be written twice (crash between produce and commit), but always with the same id:
    // every input has exactly one distinct output id, so a downstream dedupe sees each effect once.
    const idsByInput = new Map<string, Set<string>>();
    for (const o of out) idsByInput.set(o.causationId, (idsByInput.get(o.causationId) ?? new Set()).add(o.eventId));
    expect(idsByInput.size).toBe(60);
    expect([...idsByInput.values()].every((ids) => ids.size === 1)).toBe(true);
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)('hands a stopped replica’s partitions to the other (%s)', async (signal) => {
    const env = relay();
    const a = await runAgent(env);
    const b = await runAgent(env);
    await publish(env.RELAY_IN, 20);
    await outputs(env.RELAY_OUT, 20);
    a.child.kill(signal);
    await a.exit;
    await publish(env.RELAY_IN, 20, 20);
    // Every event published after the stop is handled, by the survivor.
    await outputs(env.RELAY_OUT, 40, 30_000);
    expect(b.stdout()).toMatch(/handling k(2\d|3\d)/);
    b.child.kill('SIGTERM');
    await b.exit;
  });
});
