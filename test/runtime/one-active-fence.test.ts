import Redis from 'ioredis';
import pino from 'pino';
import { defineAgent, RedisActiveLeaseStore, type AgentEvent, type RunningWorker } from '@agentmesh/runtime';
import { uniqueName } from '../support/kafka';
import { json, quiet, runtimeHarness, valueOf, type RuntimeHarness } from './support';
import { TEST_REDIS_URL } from '../support/redis';

// The fence itself, deterministically: the active instance is held inside a handler while its lease moves to
// the standby (as if it had been frozen); when the handler returns, its outputs must not be sent, while the new
// active instance handles the same event.

const REDIS_URL = TEST_REDIS_URL;
let h: RuntimeHarness;
let redis: Redis;
let leases: RedisActiveLeaseStore;

beforeAll(async () => {
  h = await runtimeHarness();
  redis = new Redis(REDIS_URL);
  leases = RedisActiveLeaseStore.connect(REDIS_URL, quiet);
});
afterAll(async () => {
  await h.close();
  await leases.close();
  redis.disconnect();
});

/** A logger whose lines the test can wait for. */
function capturingLogger() {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const logger = pino({ level: 'info' }, { write: (line: string) => (lines.push(line), waiters.forEach((w) => w())) });
  const logged = (pattern: RegExp, what: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!lines.some((l) => pattern.test(l))) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`timed out waiting for ${what}; logged: ${lines.join('')}`))), timeoutMs);
      waiters.add(check);
      check();
    });
  return { logger, logged };
}

describe('a one-active agent whose active instance lost its lease mid-handler', () => {
  it('sends nothing from that handler, and the new active instance handles the event', async () => {
    const name = uniqueName('fence');
    const [input, output] = [`in-${name}`, `out-${name}`];
    await h.kafka.admin().createTopics({
      topics: [
        { topic: input, numPartitions: 1 },
        { topic: output, numPartitions: 1 },
      ],
    });
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const agentOf = (by: 'A' | 'B') =>
      defineAgent<{ id: string }>({
        name,
        consumes: [input],
        produces: [output],
        instances: 'one-active',
        async handle(event: AgentEvent<{ id: string }>, ctx) {
          if (by === 'A') {
            entered();
            await gate;
            await ctx.checkpoint.save({ after: 'gate' }).catch(() => undefined); // refused too; the batch decides
          }
          return [{ topic: output, value: { id: event.value.id, by } }];
        },
      });
    const a = capturingLogger();
    const options = { activeLeases: leases, leaseTiming: { ttlMs: 4_000 } };
    const workerA: RunningWorker = await h.start(agentOf('A'), { ...options, instanceId: `A-${name}`, logger: a.logger });
    await a.logged(/"msg":"active instance: /, 'A to be active');
    await h.start(agentOf('B'), { ...options, instanceId: `B-${name}` });
    const seen = await h.watch([output]);

    const producer = h.kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: [{ key: 'g', value: json({ id: 'g' }) }] });
    await handlerEntered;

    // The lease moves while A is inside the handler: B takes it, A learns at its next renewal.
    await redis.del(leases.leaseKey(name));
    await a.logged(/"msg":"standby instance: /, 'A to step down');
    await seen.until((s) => s.some((r) => valueOf<{ id: string; by: string }>(r).by === 'B'), "B's output of the event");

    release();
    await a.logged(/not the active instance any more: the batch is left to the active one/, "A's batch to be refused");
    // One partition: anything A had sent would come before B's output of a later marker.
    await producer.send({ topic: input, messages: [{ key: 'm', value: json({ id: 'm' }) }] });
    const all = await seen.until((s) => s.some((r) => valueOf<{ id: string }>(r).id === 'm'), "B's output of the marker");
    await producer.disconnect();
    expect(all.map((r) => valueOf<{ id: string; by: string }>(r))).toEqual([
      { id: 'g', by: 'B' },
      { id: 'm', by: 'B' },
    ]);
    expect((await workerA.readiness()).activity).toEqual({ ok: true, detail: 'standby instance' });
  }, 60_000);
});
