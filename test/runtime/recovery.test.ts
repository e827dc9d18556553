import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startSchemaRegistry, type RunningSchemaRegistry } from '@agentmesh/schema-registry';
import { defineAgent, Header, readFailureEnvelope } from '@agentmesh/runtime';
import { RegistryCodec } from '../../packages/runtime/src/codec/registry-codec';
import { openCheckpointStore } from '../../packages/runtime/src/checkpoint/open';
import { openIdempotencyStore } from '../../packages/runtime/src/idempotency/open';
import { PrometheusWorkerMetrics } from '../../packages/runtime/src/observability/prometheus-metrics';
import { startPrivateRedis, type PrivateRedis } from '../../packages/runtime/test/support/redis-server';
import { eventually, uniqueName } from '../support/kafka';
import { json, quiet, runtimeHarness, valueOf, type RuntimeHarness } from './support';
import type { IdempotencyStore } from '@agentmesh/runtime';
import { TEST_REDIS_URL } from '../support/redis';

// What the worker does when its input or its dependencies misbehave.

let h: RuntimeHarness;
let registry: RunningSchemaRegistry;
beforeAll(async () => {
  registry = await startSchemaRegistry({ port: 0 });
  h = await runtimeHarness(new RegistryCodec({ url: registry.url }));
});
afterAll(async () => {
  await h.close();
  await registry.stop();
});

const ORDER_SCHEMA = { type: 'record', name: 'Order', namespace: 'test.recovery', fields: [{ name: 'n', type: 'int' }] };

function names() {
  const id = uniqueName('r');
  return { agent: `agent-${id}`, input: `in-${id}`, output: `out-${id}` };
}

async function registerOrderSchema(topic: string): Promise<{ client: SchemaRegistry; id: number }> {
  const client = new SchemaRegistry({ host: registry.url });
  const { id } = await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER_SCHEMA) }, { subject: `${topic}-value` });
  return { client, id };
}

it('dead-letters garbage bytes and an unknown schema id as invalid-input, and keeps processing', async () => {
  const n = names();
  const { client, id } = await registerOrderSchema(n.input);
  await registerOrderSchema(n.output);
  await h.start(defineAgent<{ n: number }>({ name: n.agent, consumes: [n.input], produces: [n.output], handle: (e) => [{ topic: n.output, value: { n: e.value.n * 10 } }] }));
  const out = await h.watch([n.output, `${n.agent}.dlq`]);
  const unknownId = Buffer.concat([Buffer.from([0, 0, 0, 0x27, 0x0f]), Buffer.from([2])]); // schema id 9999
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: n.input,
    messages: [
      { key: 'a', value: Buffer.from('{"not":"avro"}') },
      { key: 'b', value: unknownId },
      { key: 'c', value: await client.encode(id, { n: 4 }) },
    ],
  });
  await producer.disconnect();
  const seen = await out.until((s) => s.length >= 3, 'two dead letters and one output');
  const dead = seen.filter((s) => s.topic === `${n.agent}.dlq`);
  expect(dead.map((d) => [d.key, readFailureEnvelope(d.headers)?.kind])).toEqual(
    expect.arrayContaining([
      ['a', 'invalid-input'],
      ['b', 'invalid-input'],
    ]),
  );
  expect(dead.find((d) => d.key === 'b')!.headers[Header.errorMessage]).toContain('9999');
  // The original bytes are kept, so the record can be inspected and replayed.
  expect(dead.find((d) => d.key === 'a')!.value!.toString()).toBe('{"not":"avro"}');
  const output = seen.find((s) => s.topic === n.output)!;
  expect(await client.decode(output.value!)).toEqual({ n: 40 });
});

it('resumes a retried handler from its last checkpoint', async () => {
  const n = names();
  await registerOrderSchema(n.input);
  const steps: string[] = [];
  const checkpoints = openCheckpointStore({ redisUrl: TEST_REDIS_URL, logger: quiet });
  const jsonHarness = await runtimeHarness();
  try {
    await jsonHarness.start(
      defineAgent<{ n: number }>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        retry: { delaysMs: [100], maxAttempts: 3, jitter: 0 },
        async handle(e, ctx) {
          const saved = await ctx.checkpoint.load<{ step: number }>();
          let step = saved?.step ?? 0;
          if (step < 1) {
            steps.push(`attempt ${e.attempt}: expensive step 1`);
            step = 1;
            await ctx.checkpoint.save({ step });
          }
          if (e.attempt === 1) throw new Error('the LLM call timed out after step 1');
          steps.push(`attempt ${e.attempt}: step 2 from checkpoint ${saved?.step}`);
          return [{ topic: n.output, value: { n: e.value.n, step: 2 } }];
        },
      }),
      { checkpoints },
    );
    const out = await jsonHarness.watch([n.output]);
    const producer = jsonHarness.kafka.producer();
    await producer.connect();
    const eventId = `ckpt-${n.agent}`;
    await producer.send({ topic: n.input, messages: [{ key: 'k', value: json({ n: 1 }), headers: { [Header.eventId]: eventId } }] });
    await producer.disconnect();
    const [done] = await out.until((s) => s.length >= 1, 'the output after the retry');
    expect(valueOf(done!)).toEqual({ n: 1, step: 2 });
    expect(steps).toEqual(['attempt 1: expensive step 1', 'attempt 2: step 2 from checkpoint 1']);
    // Once the event is finished its step state is cleared.
    await eventually(async () => ((await checkpoints.load(n.agent, eventId)) === undefined ? true : undefined), 'the checkpoint to be cleared');
  } finally {
    await jsonHarness.close();
    await checkpoints.close();
  }
});

it('pauses while Redis is down rather than process without dedupe, and catches up when it is back', async () => {
  const n = names();
  const redis = await startPrivateRedis();
  const jsonHarness = await runtimeHarness();
  const store = openIdempotencyStore({ redisUrl: redis.url, logger: quiet });
  try {
    let handled = 0;
    const worker = await jsonHarness.start(
      defineAgent<{ n: number }>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        handle: (e) => {
          handled++;
          return [{ topic: n.output, value: e.value }];
        },
      }),
      { idempotency: store },
    );
    const out = await jsonHarness.watch([n.output, `${n.agent}.dlq`]);
    const publish = async (from: number) => {
      const producer = jsonHarness.kafka.producer();
      await producer.connect();
      await producer.send({ topic: n.input, messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${from + i}`, value: json({ n: from + i }) })) });
      await producer.disconnect();
    };
    await publish(0);
    await out.until((s) => s.length >= 5, 'the first five outputs');
    // Seen outputs are not yet finished events: completions and the commit follow the produce. Redis goes away only
    // once the first five are committed, so what happens next is the pause, not a batch cut short.
    const admin = jsonHarness.kafka.admin();
    await admin.connect();
    try {
      await eventually(async () => {
        const [topic] = await admin.fetchOffsets({ groupId: n.agent, topics: [n.input] });
        return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) >= 5 ? true : undefined;
      }, 'the first five committed');
    } finally {
      await admin.disconnect();
    }
    await redis.kill();
    await publish(5);
    const why = await eventually(async () => {
      const r = await worker.readiness();
      return r.idempotency?.ok === false && r.consumption?.ok === false ? r.consumption.detail : undefined;
    }, 'the worker to pause');
    expect(why).toContain('idempotency store unreachable');
    expect(handled).toBe(5);
    await redis.restart();
    const seen = await out.until((s) => s.length >= 10, 'all ten outputs after Redis came back', 30_000);
    expect(seen.filter((s) => s.topic === `${n.agent}.dlq`)).toEqual([]);
    expect(handled).toBe(10);
  } finally {
    await jsonHarness.close();
    await store.close();
    await redis.kill();
  }
});

it('does not handle a batch again when the idempotency store goes away after its outputs were sent', async () => {
  const n = names();
  await withPrivateRedis(async ({ redis, harness: jsonHarness, store }) => {
    const calls = new Map<number, number>();
    const worker = await jsonHarness.start(
      defineAgent<{ n: number }>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        handle: (e) => {
          calls.set(e.value.n, (calls.get(e.value.n) ?? 0) + 1);
          // The store stops answering while this event is handled: its output goes out, its completion cannot be written.
          if (e.value.n === 1) redis.freeze();
          return [{ topic: n.output, value: e.value }];
        },
      }),
      { idempotency: store },
    );
    const out = await jsonHarness.watch([n.output, `${n.agent}.dlq`]);
    const producer = jsonHarness.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: n.input, messages: [{ key: 'k', value: json({ n: 1 }), headers: { [Header.eventId]: `${n.input}-1` } }] });
      await out.until((s) => s.length >= 1, 'the output of event 1');
      const why = await eventually(async () => {
        const r = await worker.readiness();
        return r.consumption?.ok === false ? r.consumption.detail : undefined;
      }, 'the worker to pause');
      expect(why).toContain('idempotency store unreachable');
      redis.thaw();
      await producer.send({ topic: n.input, messages: [{ key: 'k', value: json({ n: 2 }) }] });
      const seen = await out.until((s) => s.length >= 2, 'the output of event 2 after the store came back', 30_000);
      expect(seen.map((s) => valueOf<{ n: number }>(s).n)).toEqual([1, 2]);
      // Event 1 ran once, and its completion, owed while the store was away, was written once it was back.
      expect(calls.get(1)).toBe(1);
      const claims = await store.claim(n.agent, [`${n.input}-1`], 'someone-else', 1000);
      expect([...claims.values()][0]).toMatchObject({ state: 'done' });
    } finally {
      await producer.disconnect();
    }
  });
});

it('pauses consumption while the event loop is over its delay watermark, says so, and resumes when it is not', async () => {
  const n = names();
  const jsonHarness = await runtimeHarness();
  try {
    const handled: number[] = [];
    const worker = await jsonHarness.start(
      defineAgent<{ n: number }>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        handle: (e) => {
          handled.push(e.value.n);
          // Event 1 holds the event loop, as a runaway handler or a GC storm would.
          if (e.value.n === 1) {
            const until = Date.now() + 600;
            while (Date.now() < until);
          }
          return [{ topic: n.output, value: e.value }];
        },
      }),
      { resourceWatermarks: { eventLoopDelayMs: 200, sampleEveryMs: 100 } },
    );
    const out = await jsonHarness.watch([n.output]);
    const producer = jsonHarness.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: n.input, messages: [{ key: 'k1', value: json({ n: 1 }) }] });
      const why = await eventually(async () => {
        const r = await worker.readiness();
        return r.consumption?.ok === false ? r.consumption.detail : undefined;
      }, 'the worker to pause on the event-loop watermark');
      expect(why).toContain('resource watermark: event-loop delay above 200 ms');
      await producer.send({ topic: n.input, messages: [{ key: 'k2', value: json({ n: 2 }) }] });
      await out.until((s) => s.length >= 2, 'both outputs once the event loop is calm again');
      expect(handled).toEqual([1, 2]);
      expect((await worker.readiness()).consumption?.ok).toBe(true);
    } finally {
      await producer.disconnect();
    }
  } finally {
    await jsonHarness.close();
  }
});

it('reports the consumer lag from committed offsets, so it is right while consumption is paused', async () => {
  const n = names();
  const metrics = new PrometheusWorkerMetrics();
  const lagNow = async () =>
    ((await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'mesh_consumer_lag')?.values ?? []).filter((v) => v.labels.topic === n.input).reduce((sum, v) => sum + Number(v.value), 0);
  await withPrivateRedis(async ({ redis, harness: jsonHarness, store }) => {
    const worker = await jsonHarness.start(defineAgent<{ n: number }>({ name: n.agent, consumes: [n.input], produces: [n.output], handle: (e) => [{ topic: n.output, value: e.value }] }), {
      idempotency: store,
      metrics,
      lagEveryMs: 100,
    });
    // The store goes away: the worker pauses, and what arrives meanwhile waits, unfetched.
    redis.freeze();
    const producer = jsonHarness.kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: n.input, messages: [{ key: 'k0', value: json({ n: 0 }) }] });
      await eventually(async () => ((await worker.readiness()).consumption?.ok === false ? true : undefined), 'the worker to pause');
      await producer.send({ topic: n.input, messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i + 1}`, value: json({ n: i + 1 }) })) });
      await eventually(async () => ((await lagNow()) === 7 ? true : undefined), 'a lag of 7 while paused');
      redis.thaw();
      await eventually(async () => ((await lagNow()) === 0 ? true : undefined), 'a lag of 0 once caught up', 30_000);
    } finally {
      await producer.disconnect();
    }
  });
});

/** A JSON harness whose idempotency store is a private Redis the test may freeze or kill (quick timeouts); all closed after. */
async function withPrivateRedis(run: (parts: { redis: PrivateRedis; harness: RuntimeHarness; store: IdempotencyStore }) => Promise<void>): Promise<void> {
  const redis = await startPrivateRedis();
  const harness = await runtimeHarness();
  const store = openIdempotencyStore({ redisUrl: redis.url, logger: quiet, commandTimeoutMs: 300, connectTimeoutMs: 300 });
  try {
    await run({ redis, harness, store });
  } finally {
    redis.thaw();
    await harness.close();
    await store.close();
    await redis.kill();
  }
}
