import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { consumeAll, eventually, kafkaFor, testKafka, uniqueName, type TestKafka } from '../support/kafka';
import { startAgentProcess } from '../support/mesh-cli';
import { TEST_REDIS_URL } from '../support/redis';

// ctx.step under kill -9: a handler of three journaled steps is killed during step 3; the agent started again
// does not run steps 1 and 2 again (the ledger the steps write proves it), and step 3 takes effect once.

const FIXTURE = resolve(__dirname, 'fixtures/three-step-agent.js');
let broker: TestKafka;
let kafka: Kafka;
let redis: Redis;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  broker = await testKafka();
  kafka = kafkaFor(broker);
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  redis.disconnect();
  await broker.stop();
});

/** A `mesh run` of the fixture, ready; `printed(line)` resolves once `line` is on its stdout (bounded). */
async function runAgentProcess(env: Record<string, string>): Promise<{ child: ChildProcess; printed(line: string, timeoutMs?: number): Promise<void> }> {
  const run = await startAgentProcess({ module: FIXTURE, brokers: broker.address, redisUrl: TEST_REDIS_URL, env: { LOG_LEVEL: 'warn', ...env } });
  children.add(run.child);
  return {
    child: run.child,
    printed: (line, timeoutMs = 30_000) =>
      eventually(() => (run.output().includes(line) ? true : undefined), `'${line}' to be printed (output: ${run.output().slice(-500)})`, timeoutMs).then(() => undefined),
  };
}

describe('journaled steps (ctx.step)', () => {
  it('after kill -9 during step 3, steps 1 and 2 are not run again and step 3 takes effect once', async () => {
    const id = uniqueName('steps');
    const env = { AGENT_NAME: `agent-${id}`, AGENT_IN: `in-${id}`, AGENT_OUT: `out-${id}`, LEDGER_REDIS: TEST_REDIS_URL, LEDGER_PREFIX: `ledger-${id}` };
    const producer = kafka.producer();
    await producer.connect();

    const first = await runAgentProcess({ ...env, STEP3_MS: '60000' });
    await producer.send({ topic: env.AGENT_IN, messages: [{ key: 'doc-1', value: JSON.stringify({ id: 'doc-1' }) }] });
    await first.printed('in step 3 doc-1');
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await runAgentProcess({ ...env, STEP3_MS: '10' });
    const consumer = kafka.consumer({ groupId: uniqueName('reader') });
    await consumer.connect();
    const [output] = await consumeAll(consumer, env.AGENT_OUT, 1, 60_000);
    await consumer.disconnect();
    await producer.disconnect();
    expect(JSON.parse(output!.value!.toString())).toEqual({ id: 'doc-1', summary: '3 words', postedAs: 'doc-1-posted' });

    const ledger = async (what: string) => Number((await redis.get(`${env.LEDGER_PREFIX}:${what}:doc-1`)) ?? 0);
    expect({ extract: await ledger('extract'), summarize: await ledger('summarize'), postStarted: await ledger('post-started'), postEffect: await ledger('post-effect') }).toEqual({
      extract: 1,
      summarize: 1,
      postStarted: 2,
      postEffect: 1,
    });
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');
    // The event is finished: its journal was cleared, not left to expire.
    expect(await redis.keys(`mesh:ckpt:{${env.AGENT_NAME}}:*`)).toEqual([]);
  }, 120_000);
});
