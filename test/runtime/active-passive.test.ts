import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { MESH } from '../support/mesh-cli';
import { HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal';
import { TEST_REDIS_URL } from '../support/redis';

// One-active agents (instances: 'one-active') run as `mesh run` processes sharing the real Redis: one active,
// one hot standby. The active one is killed with -9, or frozen with SIGSTOP and woken after the standby took
// over; every event must still have its output, and nothing may be written by the old instance after the
// takeover.

const FIXTURE = resolve(__dirname, 'fixtures/one-active-agent.js');
const REDIS_URL = TEST_REDIS_URL;
const LEASE_TTL_MS = 4_000;

let broker: TestKafka;
let kafka: Kafka;
let producer: Producer;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  broker = await testKafka();
  kafka = kafkaFor(broker);
  producer = kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  for (const c of children) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  await producer.disconnect();
  await broker.stop();
});

interface Instance {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited (taken at spawn, so an exit before the wait is not missed). */
  exited: Promise<unknown>;
  output(): string;
  /** Resolves when a JSON log line of this process matches; fails on exit or after `timeoutMs`. */
  logged(pattern: RegExp, what: string, timeoutMs?: number): Promise<{ at: number; line: string }>;
}

function startInstance(env: Record<string, string>, leaseTtlMs = LEASE_TTL_MS): Instance {
  const args = [MESH, 'run', FIXTURE, '--brokers', broker.address, '--json', '--redis', REDIS_URL, '--lease-ttl', String(leaseTtlMs)];
  const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const seen: Array<{ at: number; line: string }> = [];
  const waiters = new Set<() => void>();
  let partial = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) seen.push({ at: Date.now(), line });
    waiters.forEach((w) => w());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit');
  return {
    child,
    pid: child.pid!,
    exited,
    output: () => out,
    logged(pattern, what, timeoutMs = 30_000) {
      return new Promise((resolvePromise, reject) => {
        const finish = (error?: Error, found?: { at: number; line: string }) => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolvePromise(found!);
        };
        const check = () => {
          const found = seen.find((s) => pattern.test(s.line));
          if (found) finish(undefined, found);
        };
        const onExit = () => finish(new Error(`instance ${child.pid} exited before ${what}; output: ${out.slice(-3000)}`));
        const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; output: ${out.slice(-3000)}`)), timeoutMs);
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

const ACTIVE = /"msg":"active instance: took the lease with fencing token \d+"/;
const STANDBY = /"msg":"standby instance: /;
const READY = /^agent \S+ ready/m;

interface Output {
  id: number;
  pid: number;
  timestamp: number;
}

/**
 * Reads `topic` from the beginning, handing each record to `take` until it returns true; fails after `timeoutMs`
 * with what `missing()` says is still awaited.
 */
async function readUntil(topic: string, take: (message: KafkaMessage) => boolean, missing: () => string, timeoutMs: number): Promise<void> {
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms on ${topic} waiting for ${missing()}`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (!take(message)) return;
            clearTimeout(timer);
            resolvePromise();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Reads the agent's outputs until every id in `ids` has one. */
async function outputsCovering(topic: string, ids: number[], timeoutMs = 40_000): Promise<Output[]> {
  const outputs: Output[] = [];
  const missing = new Set(ids);
  const take = (message: KafkaMessage) => {
    const value = JSON.parse(message.value!.toString()) as { id: number; pid: number };
    outputs.push({ ...value, timestamp: Number(message.timestamp) });
    missing.delete(value.id);
    return missing.size === 0;
  };
  await readUntil(topic, take, () => `outputs of ${missing.size} of ${ids.length} events: ${[...missing].slice(0, 20).join(', ')}`, timeoutMs);
  return outputs;
}

/** Publishes ids from..to-1 one by one, `everyMs` apart, keyed so they spread over the partitions. */
async function publish(topic: string, from: number, to: number, everyMs: number): Promise<void> {
  for (let id = from; id < to; id++) {
    await producer.send({ topic, messages: [{ key: `k${id}`, value: JSON.stringify({ id }) }] });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts the active instance, then the standby once the first holds the lease. */
async function activeAndStandby(env: Record<string, string>, leaseTtlMs = LEASE_TTL_MS): Promise<{ active: Instance; standby: Instance }> {
  await kafka.admin().createTopics({
    topics: [
      { topic: env.AGENT_IN!, numPartitions: 3 },
      { topic: env.AGENT_OUT!, numPartitions: 1 },
    ],
  });
  const active = startInstance(env, leaseTtlMs);
  await active.logged(ACTIVE, 'the first instance to take the lease');
  await active.logged(READY, 'the active instance to be ready');
  const standby = startInstance(env, leaseTtlMs);
  await standby.logged(READY, 'the standby to be ready');
  expect(standby.output()).not.toMatch(ACTIVE);
  return { active, standby };
}

function agentEnv(handleMs: number): Record<string, string> {
  const id = uniqueName('ap');
  return { AGENT_NAME: `agent-${id}`, AGENT_IN: `in-${id}`, AGENT_OUT: `out-${id}`, HANDLE_MS: String(handleMs) };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

interface Beat {
  agent: string;
  pid: number;
  status: string;
  role: string | null;
  fencingToken: number | null;
}

/** The first heartbeat of `agent` from each pid that satisfies `accept`, read from mesh.heartbeats (JSON under --json). */
async function heartbeats(agent: string, pids: number[], accept: (b: Beat) => boolean, timeoutMs = 20_000): Promise<Map<number, Beat>> {
  const found = new Map<number, Beat>();
  const take = (message: KafkaMessage) => {
    // On a shared Kafka the topic also holds other suites' heartbeats in Avro (a zero magic byte): not this agent's.
    if (message.value?.[0] !== 0x7b) return false;
    const beat = JSON.parse(message.value.toString()) as Beat;
    if (beat.agent === agent && pids.includes(beat.pid) && !found.has(beat.pid) && accept(beat)) found.set(beat.pid, beat);
    return found.size === pids.length;
  };
  await readUntil(HEARTBEAT_TOPIC, take, () => `heartbeats of ${agent} from ${pids.filter((p) => !found.has(p)).join(', ')}`, timeoutMs);
  return found;
}

describe('a one-active agent', () => {
  it('after kill -9 of the active instance under load, the standby takes over and every event gets its output', async () => {
    const env = agentEnv(20);
    const { active, standby } = await activeAndStandby(env);
    const total = 120;
    const publishing = publish(env.AGENT_IN!, 0, total, 15);
    // Killed mid-stream, with outputs of its own already written.
    await outputsCovering(env.AGENT_OUT!, range(30));
    active.child.kill('SIGKILL');
    await active.exited;
    const takeover = await standby.logged(ACTIVE, 'the standby to take over', 30_000);
    await publishing;

    const outputs = await outputsCovering(env.AGENT_OUT!, range(total));
    expect(new Set(outputs.map((o) => o.id)).size).toBe(total);
    // Both instances worked, one after the other: the dead one wrote nothing after the takeover.
    expect(outputs.some((o) => o.pid === active.pid)).toBe(true);
    expect(outputs.some((o) => o.pid === standby.pid)).toBe(true);
    expect(outputs.filter((o) => o.pid === active.pid && o.timestamp >= takeover.at)).toEqual([]);
    standby.child.kill('SIGTERM');
    await standby.exited;
  }, 120_000);

  it('an active instance frozen past its lease writes nothing after the standby took over, and steps down when it wakes', async () => {
    const env = agentEnv(150);
    const { active, standby } = await activeAndStandby(env);
    const total = 80;
    const publishing = publish(env.AGENT_IN!, 0, total, 25);
    await outputsCovering(env.AGENT_OUT!, range(10));
    // Frozen with handlers in flight (each takes 150 ms): like a long GC pause or a stalled VM.
    active.child.kill('SIGSTOP');
    const takeover = await standby.logged(ACTIVE, 'the standby to take over', 30_000);
    active.child.kill('SIGCONT');
    await active.logged(STANDBY, 'the woken instance to step down', 30_000);
    await publishing;

    const outputs = await outputsCovering(env.AGENT_OUT!, range(total));
    expect(new Set(outputs.map((o) => o.id)).size).toBe(total);
    expect(outputs.filter((o) => o.pid === active.pid && o.timestamp >= takeover.at)).toEqual([]);
    expect(outputs.some((o) => o.pid === standby.pid && o.timestamp >= takeover.at)).toBe(true);
    // The woken one is a standby now: it stays out of the group, so it handles nothing more.
    const after = Date.now();
    await publish(env.AGENT_IN!, total, total + 10, 10);
    const more = await outputsCovering(env.AGENT_OUT!, range(total + 10));
    expect(more.filter((o) => o.id >= total).every((o) => o.pid === standby.pid && o.timestamp >= after)).toBe(true);
    for (const i of [active, standby]) i.child.kill('SIGTERM');
    await Promise.all([active.exited, standby.exited]);
  }, 120_000);

  it('hands over at once on SIGTERM: the stopping active instance gives its lease up', async () => {
    const env = agentEnv(5);
    // A lease that would take a minute to expire: a takeover well before that can only come from a release.
    const { active, standby } = await activeAndStandby(env, 60_000);
    // Heartbeats say which is which, and the active one's fencing token.
    const beats = await heartbeats(env.AGENT_NAME!, [active.pid, standby.pid], (b) => b.status === 'READY');
    expect(beats.get(active.pid)).toMatchObject({ role: 'active', fencingToken: expect.any(Number) as number });
    expect(beats.get(standby.pid)).toMatchObject({ role: 'standby', fencingToken: null });
    await publish(env.AGENT_IN!, 0, 10, 5);
    await outputsCovering(env.AGENT_OUT!, range(10));
    const stoppedAt = Date.now();
    active.child.kill('SIGTERM');
    const takeover = await standby.logged(ACTIVE, 'the standby to take over');
    await active.logged(/"msg":"stopped"/, 'the active instance to stop', 20_000);
    await active.exited;
    expect(takeover.at - stoppedAt).toBeLessThan(30_000);
    await publish(env.AGENT_IN!, 10, 20, 5);
    const outputs = await outputsCovering(env.AGENT_OUT!, range(20));
    expect(outputs.filter((o) => o.id >= 10).every((o) => o.pid === standby.pid)).toBe(true);
    standby.child.kill('SIGTERM');
    await standby.exited;
  }, 60_000);
});
