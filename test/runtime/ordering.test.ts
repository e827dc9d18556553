import { defineAgent, Header, RedisKeyBarrier, type Agent, type KeyBarrier } from '@agentmesh/runtime';
import { eventually, uniqueName } from '../support/kafka';
import { json, quiet, runtimeHarness, valueOf, type RuntimeHarness } from './support';
import { TEST_REDIS_URL } from '../support/redis';

// Per-key ordering: while an event of a key is in retry, later events of that key wait behind it.

let h: RuntimeHarness;
const barriers: KeyBarrier[] = [];
beforeAll(async () => {
  h = await runtimeHarness();
});
afterAll(async () => {
  await h.close();
  await Promise.all(barriers.map((b) => b.close()));
});

function redisBarrier(): KeyBarrier {
  const b = RedisKeyBarrier.connect(TEST_REDIS_URL, quiet);
  barriers.push(b);
  return b;
}

interface Step {
  key: string;
  n: number;
}

function orderedAgent(ordering: 'key' | 'none', delayMs: number) {
  const id = uniqueName('o');
  const names = { agent: `ord-${id}`, input: `in-${id}`, output: `out-${id}` };
  const definition: Agent = defineAgent<Step>({
    name: names.agent,
    consumes: [names.input],
    produces: [names.output],
    ordering,
    retry: { delaysMs: [delayMs], maxAttempts: 3, jitter: 0 },
    handle: (e) => {
      if (e.value.n === 0 && e.value.key === 'K' && e.attempt === 1) throw new Error('first event of K fails once');
      return [{ topic: names.output, value: e.value }];
    },
  }) as Agent;
  return { ...names, definition };
}

async function publish(topic: string, steps: Step[]): Promise<void> {
  const producer = h.kafka.producer();
  await producer.connect();
  // One send per event, so each is its own batch position, as a steady stream would be.
  for (const s of steps) await producer.send({ topic, messages: [{ key: s.key, value: json(s) }] });
  await producer.disconnect();
}

const K = [0, 1, 2, 3, 4].map((n) => ({ key: 'K', n }));
const L = [0, 1, 2].map((n) => ({ key: 'L', n }));

it('releases the later events of a key in order after the one in retry, without delaying other keys', async () => {
  const o = orderedAgent('key', 300);
  await h.start(o.definition, { keyBarrier: redisBarrier() });
  const out = await h.watch([o.output, `${o.agent}.retry.0`]);
  await publish(o.input, [...K, ...L]);
  const seen = await out.until((s) => s.filter((x) => x.topic === o.output).length >= 8, 'all eight outputs');
  const outputs = seen.filter((x) => x.topic === o.output).map((x) => valueOf<Step>(x));
  expect(outputs.filter((s) => s.key === 'K').map((s) => s.n)).toEqual([0, 1, 2, 3, 4]);
  const k0 = outputs.findIndex((s) => s.key === 'K' && s.n === 0);
  for (const l of outputs.filter((s) => s.key === 'L')) expect(outputs.indexOf(l)).toBeLessThan(k0);
  // The later events of K went round the retry tier as parked records, not as failures.
  const parked = seen.filter((x) => x.topic === `${o.agent}.retry.0` && x.headers[Header.parked] === 'true');
  expect(new Set(parked.map((p) => valueOf<Step>(p).n))).toEqual(new Set([1, 2, 3, 4]));
  expect(parked.every((p) => p.headers[Header.errorKind] === undefined)).toBe(true);
});

it('without ordering, later events of the key overtake the one in retry (the control)', async () => {
  const o = orderedAgent('none', 300);
  await h.start(o.definition);
  const out = await h.watch([o.output]);
  await publish(o.input, K);
  const seen = await out.until((s) => s.length >= 5, 'five outputs');
  expect(seen.map((x) => valueOf<Step>(x).n)).toEqual([1, 2, 3, 4, 0]);
});

it('keeps the order across a restart: the lines live in Redis and the parked records in Kafka', async () => {
  const o = orderedAgent('key', 1_500);
  const first = await h.start(o.definition, { keyBarrier: redisBarrier() });
  const out = await h.watch([o.output, `${o.agent}.retry.0`]);
  await publish(o.input, K.slice(0, 3));
  // K0 is in retry, K1 and K2 parked behind it; then the process goes away.
  await out.until((s) => s.filter((x) => x.headers[Header.parked] === 'true').length >= 2 && s.some((x) => x.headers[Header.errorKind] === 'transient'), 'K0 in retry and two parked');
  await first.stop();
  await h.start(o.definition, { keyBarrier: redisBarrier() });
  const seen = await out.until((s) => s.filter((x) => x.topic === o.output).length >= 3, 'the three outputs after the restart');
  expect(seen.filter((x) => x.topic === o.output).map((x) => valueOf<Step>(x).n)).toEqual([0, 1, 2]);
});

it('acknowledges a redelivered, already finished event of a key and goes on with the key', async () => {
  const o = orderedAgent('key', 300);
  await h.start(o.definition, { keyBarrier: redisBarrier() });
  const out = await h.watch([o.output]);
  const producer = h.kafka.producer();
  await producer.connect();
  const send = (eventId: string, n: number) => producer.send({ topic: o.input, messages: [{ key: 'M', value: json({ key: 'M', n }), headers: { [Header.eventId]: eventId } }] });
  await send(`m1-${o.agent}`, 1);
  await out.until((s) => s.length >= 1, 'the first output');
  // The same event again (a producer retry, a replay): a duplicate, then the key's next event.
  await send(`m1-${o.agent}`, 1);
  await send(`m2-${o.agent}`, 2);
  await producer.disconnect();
  const seen = await out.until((s) => s.length >= 2, 'the next event of the key after the duplicate');
  expect(seen.map((x) => valueOf<Step>(x).n)).toEqual([1, 2]);
  // The batch with the duplicate was finished, not failed and fetched again: its offsets are committed.
  const admin = h.kafka.admin();
  await admin.connect();
  try {
    const committed = await eventually(async () => {
      const [topic] = await admin.fetchOffsets({ groupId: o.agent, topics: [o.input] });
      const total = (topic?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      return total >= 3 ? total : undefined;
    }, 'the three records committed');
    expect(committed).toBe(3);
  } finally {
    await admin.disconnect();
  }
});
