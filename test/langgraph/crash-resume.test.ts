import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { consumeAll, eventually, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { startAgentProcess, type AgentProcess } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';

// A three-node LangGraph graph inside an agent run by `mesh run`, checkpointed by MeshCheckpointSaver on the
// real Redis: the process is killed with -9 in node three, started again, and the redelivered event resumes
// the graph from its last checkpoint. Each node notes its start and end in a Redis ledger, which proves
// nodes one and two ran once.

const FIXTURE = resolve(__dirname, 'fixtures/three-node-graph-agent.js');

let broker: TestKafka;
let kafka: Kafka;
let redis: Redis;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  broker = await testKafka();
  kafka = kafkaFor(broker);
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis.quit();
  await broker.stop();
});

async function runAgent(env: Record<string, string>): Promise<AgentProcess> {
  const run = await startAgentProcess({ module: FIXTURE, brokers: broker.address, redisUrl: TEST_REDIS_URL, env: { REDIS_URL: TEST_REDIS_URL, ...env }, args: ['--session-timeout', '3000'] });
  children.add(run.child);
  void once(run.child, 'exit').then(() => children.delete(run.child));
  return run;
}

it('resumes a graph killed with -9 in node three from its last checkpoint: nodes one and two are not run again', async () => {
  const id = uniqueName('lg');
  const env = { AGENT_NAME: `agent-${id}`, AGENT_IN: `in-${id}`, AGENT_OUT: `out-${id}`, LG_PREFIX: `lg-crash-${id}`, LEDGER_KEY: `lg-ledger-${id}` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [env.AGENT_IN, env.AGENT_OUT].map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();
  const ledger = () => redis.lrange(env.LEDGER_KEY, 0, -1);

  try {
    const first = await runAgent({ ...env, HANG_IN_NODE_3: '1' });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: env.AGENT_IN, messages: [{ key: 'k', value: JSON.stringify({ order: 42 }), headers: { 'mesh-event-id': `evt-${id}`, 'mesh-correlation-id': `corr-${id}` } }] });
    await producer.disconnect();

    await eventually(async () => ((await ledger()).includes('three:start') ? true : undefined), 'node three to start', 30_000);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(await ledger()).toEqual(['one:start', 'one:done', 'two:start', 'two:done', 'three:start']);

    // The thread is the event's correlation id; its newest checkpoint is the one written after node two.
    const stored = await redis.zcard(`${env.LG_PREFIX}:{corr-${id}}:idx:""`);
    expect(stored).toBeGreaterThanOrEqual(3);

    await runAgent(env);
    const consumer = kafka.consumer({ groupId: uniqueName('lg-out'), maxWaitTimeInMs: 50 });
    await consumer.connect();
    try {
      const [message] = await consumeAll(consumer, env.AGENT_OUT, 1, 60_000);
      expect(JSON.parse(message!.value!.toString())).toEqual({ trail: ['one', 'two', 'three'], resumedFrom: 2 });
    } finally {
      await consumer.disconnect();
    }
    expect(await ledger()).toEqual(['one:start', 'one:done', 'two:start', 'two:done', 'three:start', 'three:start', 'three:done']);
  } finally {
    for (const child of children) child.kill('SIGKILL');
    const keys = await redis.keys(`lg-crash-${id}:*`);
    await redis.del(env.LEDGER_KEY, ...keys);
  }
}, 150_000);
