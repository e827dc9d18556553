import pino from 'pino';
import { defineAgent, Header, PermanentError, readFailureEnvelope, type AgentEvent, type IdempotencyStore, type OutputEvent } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { json, runtimeHarness, valueOf, type RuntimeHarness, type Seen } from './support';

interface Heartbeat {
  agent: string;
  status: string;
  instanceId: string;
  topics: string[];
  version: string;
  assignedPartitions: number;
}

// The worker's guarantees, end to end: embedded broker over TCP, the real Redis, real retry topics.

interface Order {
  n: number;
  fail?: 'transient-once' | 'permanent' | 'always' | 'hang';
}

let h: RuntimeHarness;
beforeAll(async () => {
  h = await runtimeHarness();
});
afterAll(() => h.close());

async function publish(topic: string, events: Array<{ key: string; value: unknown }>): Promise<void> {
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: events.map((e) => ({ key: e.key, value: json(e.value) })) });
  await producer.disconnect();
}

function names() {
  const id = uniqueName('t');
  return { agent: `agent-${id}`, input: `in-${id}`, output: `out-${id}` };
}

const fastRetry = { delaysMs: [100, 300], maxAttempts: 3, jitter: 0 };

/** An agent that counts its calls per order number in `handled` and sends `output(order)` on. */
function countingAgent(n: ReturnType<typeof names>, handled: Map<number, number>, output: (order: Order) => unknown) {
  return defineAgent<Order>({
    name: n.agent,
    consumes: [n.input],
    produces: [n.output],
    handle: async (e) => {
      handled.set(e.value.n, (handled.get(e.value.n) ?? 0) + 1);
      return [{ topic: n.output, value: output(e.value) }];
    },
  });
}

describe('the worker', () => {
  it('processes every event once, with derived ids, correlation and causation', async () => {
    const n = names();
    const handled = new Map<number, number>();
    await h.start(countingAgent(n, handled, (order) => ({ doubled: order.n * 2 })));
    const out = await h.watch([n.output]);
    await publish(
      n.input,
      Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 7}`, value: { n: i } })),
    );
    const seen = await out.until((s) => s.length >= 60, '60 outputs');
    expect(new Set(seen.map((s) => s.headers[Header.eventId])).size).toBe(60);
    expect(seen.map((s) => valueOf<{ doubled: number }>(s).doubled).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i * 2));
    expect([...handled.values()].every((c) => c === 1)).toBe(true);
    for (const s of seen) expect(s.headers[Header.causationId]).toBe(s.headers[Header.correlationId]);
  });

  it('retries transient failures through its retry topics without holding up the events behind them', async () => {
    const n = names();
    const attempts = new Map<number, number[]>();
    await h.start(
      defineAgent<Order>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        retry: { delaysMs: [400], maxAttempts: 3, jitter: 0 },
        handle: async (e: AgentEvent<Order>) => {
          attempts.set(e.value.n, [...(attempts.get(e.value.n) ?? []), e.attempt]);
          if (e.value.fail === 'transient-once' && e.attempt === 1) throw new Error('flaky dependency');
          return [{ topic: n.output, value: { n: e.value.n, attempt: e.attempt } }];
        },
      }),
    );
    const out = await h.watch([n.output, `${n.agent}.retry.0`]);
    // One key, so every event shares a partition: event 0 fails, 1..9 must not wait for its retry.
    await publish(n.input, [{ key: 'same', value: { n: 0, fail: 'transient-once' } }, ...Array.from({ length: 9 }, (_, i) => ({ key: `same`, value: { n: i + 1 } }))]);
    const seen = await out.until((s) => s.filter((x) => x.topic === n.output).length >= 10, 'all 10 outputs');
    const outputs = seen.filter((x) => x.topic === n.output).map((x) => valueOf<{ n: number; attempt: number }>(x));
    expect(outputs.findIndex((o) => o.n === 0)).toBe(9); // the failed one came last, after its retry delay
    expect(outputs.find((o) => o.n === 0)!.attempt).toBe(2);
    const retry = seen.find((x) => x.topic === `${n.agent}.retry.0`)!;
    expect(Number(retry.headers[Header.dueAt])).toBeGreaterThan(0);
    expect(retry.headers[Header.errorKind]).toBe('transient');
    expect(attempts.get(0)).toEqual([1, 2]);
  });

  it('dead-letters permanent failures at once and exhausted ones with their whole history', async () => {
    const n = names();
    await h.start(
      defineAgent<Order>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        retry: fastRetry,
        handle: async (e) => {
          if (e.value.fail === 'permanent') throw new PermanentError('vat number is not valid');
          if (e.value.fail === 'always') throw new Error(`erp timeout on attempt ${e.attempt}`);
          return [];
        },
      }),
    );
    const dlq = await h.watch([`${n.agent}.dlq`]);
    await publish(n.input, [
      { key: 'p', value: { n: 1, fail: 'permanent' } },
      { key: 'a', value: { n: 2, fail: 'always' } },
    ]);
    const seen = await dlq.until((s) => s.length >= 2, 'two dead letters');
    const permanent = seen.find((s) => s.key === 'p')!;
    const exhausted = seen.find((s) => s.key === 'a')!;
    expect(valueOf<Order>(permanent)).toEqual({ n: 1, fail: 'permanent' }); // original bytes kept
    expect(readFailureEnvelope(permanent.headers)).toMatchObject({ kind: 'permanent', attempt: 1, errorClass: 'PermanentError', errorMessage: 'vat number is not valid', origin: { topic: n.input } });
    const env = readFailureEnvelope(exhausted.headers)!;
    expect(env.origin.topic).toBe(n.input);
    expect(env.history.map((r) => r.message)).toEqual(['erp timeout on attempt 1', 'erp timeout on attempt 2', 'erp timeout on attempt 3']);
    expect(exhausted.headers[Header.errorStack]).toContain('erp timeout on attempt 3');
  });

  it("sends a batch's outputs in requests under the broker's message size limit, however large the batch", async () => {
    const n = names();
    // Twelve outputs of 200 KB: 2.4 MB in all, over the broker's 1 MiB per record batch if sent in one request.
    const big = 'x'.repeat(200_000);
    await h.start(
      defineAgent<Order>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        handle: (e) => [{ topic: n.output, value: { n: e.value.n, big } }],
      }),
    );
    const out = await h.watch([n.output]);
    await publish(
      n.input,
      Array.from({ length: 12 }, (_, i) => ({ key: 'one-partition', value: { n: i } })),
    );
    const seen = await out.until((s) => s.length >= 12, 'the twelve large outputs');
    expect(seen.map((s) => valueOf<{ n: number }>(s).n)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  /**
   * An agent that handles two events of one key, the first of which cannot be passed on as `handle` makes it:
   * the first must end in the DLQ and the second must still come out (the agent was not stopped by the first).
   */
  async function deadLetterThenNext(handle: (e: AgentEvent<{ n: number; blob?: string }>, output: string) => OutputEvent[], first: { n: 1; blob?: string }) {
    const n = names();
    await h.start(defineAgent<{ n: number; blob?: string }>({ name: n.agent, consumes: [n.input], produces: [n.output], handle: (e) => handle(e, n.output) }));
    const watched = await h.watch([n.output, `${n.agent}.dlq`]);
    await publish(n.input, [
      { key: 'k', value: first },
      { key: 'k', value: { n: 2 } },
    ]);
    const seen = await watched.until((s) => s.length >= 2, 'a dead letter and the next output');
    expect(seen.filter((s) => s.topic === n.output).map((s) => valueOf<{ n: number }>(s).n)).toEqual([2]);
    return seen.find((s) => s.topic === `${n.agent}.dlq`)!;
  }

  it('dead-letters an event whose output is larger than a record may be, and goes on', async () => {
    const dead = await deadLetterThenNext((e, output) => [{ topic: output, value: { n: e.value.n, blob: e.value.n === 1 ? 'y'.repeat(1_100_000) : '' } }], { n: 1 });
    expect(valueOf<Order>(dead)).toEqual({ n: 1 }); // the original record, not the oversized output
    expect(readFailureEnvelope(dead.headers)).toMatchObject({ kind: 'permanent', attempt: 1, errorClass: 'OutputTooLargeError' });
  });

  it('dead-letters a record as large as its topic allows, failure envelope and all, and goes on', async () => {
    // Just under the source topic's 1,048,588-byte limit: the copy with its envelope is over it.
    const dead = await deadLetterThenNext(
      (e, output) => {
        if (e.value.blob) throw new PermanentError('this document cannot be read');
        return [{ topic: output, value: { n: e.value.n } }];
      },
      { n: 1, blob: 'z'.repeat(1_047_000) },
    );
    expect(dead.value!.length).toBeGreaterThan(1_047_000);
    expect(readFailureEnvelope(dead.headers)).toMatchObject({ kind: 'permanent', errorMessage: 'this document cannot be read' });
  });

  it('dead-letters an event whose output names an illegal topic, and goes on', async () => {
    const dead = await deadLetterThenNext((e, output) => [{ topic: e.value.n === 1 ? 'not a topic!' : output, value: e.value }], { n: 1 });
    expect(readFailureEnvelope(dead.headers)).toMatchObject({ kind: 'permanent', errorClass: 'InvalidOutputError' });
  });

  it('dead-letters an event whose output has a key Kafka cannot carry, and goes on', async () => {
    // A number where a string belongs: TypeScript would refuse it, plain JavaScript (or a cast) does not.
    const dead = await deadLetterThenNext((e, output) => [{ topic: output, key: (e.value.n === 1 ? 42 : 'k') as unknown as string, value: e.value }], { n: 1 });
    expect(readFailureEnvelope(dead.headers)).toMatchObject({ kind: 'permanent', errorClass: 'InvalidOutputError' });
    expect(dead.headers[Header.errorMessage]).toMatch(/number key/);
  });

  it('aborts a hung handler at its deadline, signals it, and retries it', async () => {
    const n = names();
    let aborted = 0;
    await h.start(
      defineAgent<Order>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        timeoutMs: 200,
        retry: fastRetry,
        handle: async (e, ctx) => {
          if (e.attempt === 1) {
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
            aborted++;
            return [];
          }
          return [{ topic: n.output, value: { n: e.value.n, attempt: e.attempt } }];
        },
      }),
    );
    const out = await h.watch([n.output, `${n.agent}.retry.0`]);
    await publish(n.input, [{ key: 'slow', value: { n: 1, fail: 'hang' } }]);
    const seen = await out.until((s) => s.some((x) => x.topic === n.output), 'the retried output');
    expect(seen.find((x) => x.topic === `${n.agent}.retry.0`)!.headers[Header.errorKind]).toBe('timeout');
    expect(valueOf<{ attempt: number }>(seen.find((x) => x.topic === n.output)!).attempt).toBe(2);
    expect(aborted).toBe(1);
  });

  it('emits the fallback, marked degraded, when a non-critical agent fails for good', async () => {
    const n = names();
    await h.start(
      defineAgent<Order>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        critical: false,
        retry: fastRetry,
        handle: async () => {
          throw new PermanentError('matching service rejected the request');
        },
        fallback: (e, why) => [{ topic: n.output, value: { n: e.value.n, suggestion: 'manual review', why: why.reason } }],
      }),
    );
    const out = await h.watch([n.output, `${n.agent}.dlq`]);
    await publish(n.input, [{ key: 'x', value: { n: 7 } }]);
    const [degraded] = await out.until((s) => s.length >= 1, 'the degraded output');
    expect(degraded!.topic).toBe(n.output);
    expect(degraded!.headers[Header.degraded]).toBe('true');
    expect(degraded!.headers[Header.degradedReason]).toContain('matching service rejected');
    expect(valueOf(degraded!)).toEqual({ n: 7, suggestion: 'manual review', why: 'permanent' });
  });

  it('pauses while a breaker is open instead of filling the DLQ, and processes everything after recovery', async () => {
    const n = names();
    let dependencyUp = false;
    let calls = 0;
    const worker = await h.start(
      defineAgent<Order>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        retry: { delaysMs: [50], maxAttempts: 2, jitter: 0 },
        breakers: { erp: { consecutiveFailures: 2, halfOpenAfterMs: 300 } },
        handle: async (e, ctx) => {
          const r = await ctx.breaker('erp').execute(async () => {
            calls++;
            if (!dependencyUp) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
            return e.value.n;
          });
          return [{ topic: n.output, value: { n: r } }];
        },
      }),
    );
    const out = await h.watch([n.output, `${n.agent}.dlq`]);
    await publish(
      n.input,
      Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: { n: i } })),
    );
    // The dependency is down: the breaker opens and the worker pauses, saying why.
    const pausedBecause = await eventually(async () => {
      const r = await worker.readiness();
      return r.consumption?.ok === false ? r.consumption.detail : undefined;
    }, 'the worker to pause');
    expect(pausedBecause).toContain("breaker 'erp' is open");
    // While paused, only half-open probes reach the dependency: one call per probe, not one per event.
    const atPause = calls;
    await eventually(() => (calls >= atPause + 2 ? true : undefined), 'two half-open probes');
    expect(calls).toBeLessThanOrEqual(atPause + 3);
    dependencyUp = true;
    const seen = await out.until((s) => s.filter((x) => x.topic === n.output).length >= 20, 'all 20 outputs after recovery');
    expect(seen.filter((x) => x.topic === `${n.agent}.dlq`)).toEqual([]);
    expect(new Set(seen.map((x) => valueOf<{ n: number }>(x).n)).size).toBe(20);
  });

  it('skips events it already completed when they are delivered again', async () => {
    const n = names();
    let handled = 0;
    const agent = defineAgent<Order>({
      name: n.agent,
      consumes: [n.input],
      produces: [n.output],
      handle: async (e) => {
        handled++;
        return [{ topic: n.output, value: e.value }];
      },
    });
    const first = await h.start(agent);
    const out = await h.watch([n.output]);
    await publish(n.input, [{ key: 'a', value: { n: 1 } }]);
    await out.until((s) => s.length >= 1, 'the first output');
    await first.stop();
    // Rewind the group: the same record arrives again, and must not be handled again.
    const admin = h.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: n.agent, topic: n.input, earliest: true });
    await admin.disconnect();
    await h.start(agent);
    await publish(n.input, [{ key: 'b', value: { n: 2 } }]);
    await out.until((s) => s.length >= 2, 'the second output');
    expect(handled).toBe(2);
    expect(out.seen.map((s) => valueOf<Order>(s).n)).toEqual([1, 2]);
  });

  it('handles an event once when two copies of it arrive in one batch (a producer retry)', async () => {
    const n = names();
    const handled = new Map<number, number>();
    await h.start(countingAgent(n, handled, (order) => order));
    const out = await h.watch([n.output]);
    const producer = h.kafka.producer();
    await producer.connect();
    const copy = (id: string, value: Order) => ({ key: 'same-key', value: json(value), headers: { [Header.eventId]: id } });
    // One send: the copies sit side by side in one partition and arrive in one batch.
    await producer.send({ topic: n.input, messages: [copy('id-1', { n: 1 }), copy('id-1', { n: 1 }), copy('id-2', { n: 2 }), copy('id-1', { n: 1 })] });
    await producer.disconnect();
    await out.until((seen) => seen.some((s) => valueOf<Order>(s).n === 2), 'the output of the second event');
    expect(Object.fromEntries(handled)).toEqual({ 1: 1, 2: 1 });
    expect(out.seen.map((s) => valueOf<Order>(s).n).sort()).toEqual([1, 2]);
  });

  it('restarts its consumer after a crash kafkajs gives up on, redoes the batch with the same ids, and goes on', async () => {
    const n = names();
    const lines: Array<{ msg: string; restart?: boolean; agent?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    // The first completion fails with a TypeError: kafkajs neither retries that nor restarts its consumer.
    let failNextComplete = true;
    const store: IdempotencyStore = Object.create(h.store) as IdempotencyStore;
    store.complete = async (agent, completions, ttlMs) => {
      if (failNextComplete) {
        failNextComplete = false;
        throw new TypeError('simulated bug after the outputs were sent');
      }
      return h.store.complete(agent, completions, ttlMs);
    };
    await h.start(defineAgent<Order>({ name: n.agent, consumes: [n.input], produces: [n.output], handle: async (e) => [{ topic: n.output, value: e.value }] }), { idempotency: store, logger });
    const out = await h.watch([n.output]);
    await publish(
      n.input,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: { n: i } })),
    );
    await eventually(() => lines.find((l) => l.msg === 'consumer restarted'), 'the consumer to restart', 20_000);
    expect(lines.find((l) => l.msg === 'consumer crashed')).toMatchObject({ restart: false });

    // Events published after the crash are consumed too, and every offset ends up committed.
    await publish(
      n.input,
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: { n: 10 + i } })),
    );
    await out.until((seen) => new Set(seen.map((s) => valueOf<Order>(s).n)).size >= 20, 'all 20 outputs');
    // The redone batch sent its outputs again under the same ids: one id per event, whatever the copies.
    const idsByN = new Map<number, Set<string>>();
    for (const s of out.seen) idsByN.set(valueOf<Order>(s).n, (idsByN.get(valueOf<Order>(s).n) ?? new Set()).add(s.headers[Header.eventId]!));
    expect([...idsByN.values()].every((ids) => ids.size === 1)).toBe(true);
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      await eventually(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: n.agent, topics: [n.input] });
        const ends = await admin.fetchTopicOffsets(n.input);
        return committed!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high) || undefined;
      }, 'every offset committed');
    } finally {
      await admin.disconnect();
    }
  });

  it('announces itself on mesh.heartbeats: READY while running, STOPPING on the way out', async () => {
    const n = names();
    const beats = await h.watch(['mesh.heartbeats']);
    const worker = await h.start(defineAgent({ name: n.agent, consumes: [n.input], produces: [], handle: () => [] }), { heartbeatEveryMs: 200, version: '1.4.2' });
    // Keyed by instance: on a shared Kafka the topic also holds other suites' heartbeats, some in Avro.
    const mine = (s: Seen[]) => s.filter((x) => x.key === worker.instanceId).map((x) => valueOf<Heartbeat>(x));
    await beats.until((s) => mine(s).some((b) => b.status === 'READY'), 'a READY heartbeat');
    const ready = mine(beats.seen).find((b) => b.status === 'READY')!;
    expect(ready).toMatchObject({ instanceId: worker.instanceId, version: '1.4.2', topics: [n.input, `${n.agent}.retry.0`, `${n.agent}.retry.1`, `${n.agent}.retry.2`] });
    expect(ready.assignedPartitions).toBeGreaterThan(0);
    await worker.stop();
    await beats.until((s) => mine(s).some((b) => b.status === 'STOPPING'), 'a STOPPING heartbeat');
  });
});
