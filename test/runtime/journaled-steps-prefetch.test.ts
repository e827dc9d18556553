import { defineAgent, Header } from '@agentmesh/runtime';
import type { CheckpointStore } from '../../packages/runtime/src/checkpoint/store';
import { RedisCheckpointStore } from '../../packages/runtime/src/checkpoint/redis-checkpoint-store';
import { journalId } from '../../packages/runtime/src/journal/journal-record';
import { eventually, uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';
import { json, quiet, runtimeHarness, valueOf, type RuntimeHarness } from './support';

// The worker reads the step journals of a batch's claimed events in one round trip once the agent has used
// ctx.step: a later event's journal (here, one left by an earlier attempt) reaches its handler without a read of
// its own, and its completed step is replayed, not run.

let h: RuntimeHarness;
let redisStore: RedisCheckpointStore;
const calls: string[] = [];
/** The real Redis store, each call (one round trip) written down. */
let store: CheckpointStore;

beforeAll(async () => {
  h = await runtimeHarness();
  redisStore = RedisCheckpointStore.connect(TEST_REDIS_URL, quiet, { keyPrefix: `test:${uniqueName('ckpt')}` });
  store = {
    kind: 'redis',
    load: (a, id, l) => (calls.push(`load ${id}`), redisStore.load(a, id, l)),
    loadMany: (a, ids, l) => (calls.push(`loadMany ${ids.join(',')}`), redisStore.loadMany(a, ids, l)),
    save: (a, id, s, f) => (calls.push(`save ${id}`), redisStore.save(a, id, s, f)),
    clear: (a, id) => (calls.push(`clear ${id}`), redisStore.clear(a, id)),
    close: () => redisStore.close(),
  };
});
afterAll(async () => {
  await h.close();
  await redisStore.close();
});

async function publish(topic: string, n: number, eventId: string): Promise<void> {
  const producer = h.kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: json({ n }), headers: { [Header.eventId]: eventId } }] });
  await producer.disconnect();
}

describe('step journals read with the batch', () => {
  it('skips the read for an agent not yet seen using ctx.step, then hands later events their journal read with the batch', async () => {
    const id = uniqueName('prefetch');
    const n = { agent: `agent-${id}`, input: `in-${id}`, output: `out-${id}` };
    const drafted: number[] = [];
    await h.start(
      defineAgent<{ n: number }>({
        name: n.agent,
        consumes: [n.input],
        produces: [n.output],
        handle: async (e, ctx) => {
          const draft = await ctx.step('draft', () => (drafted.push(e.value.n), `draft ${e.value.n}`));
          const posted = await ctx.step('post', () => `posted ${draft}`);
          return [{ topic: n.output, value: { n: e.value.n, posted } }];
        },
      }),
      { checkpoints: store },
    );
    const out = await h.watch([n.output]);

    const first = `${id}-1`;
    await publish(n.input, 1, first);
    await out.until((s) => s.length >= 1, 'the first output');
    // Not known to use steps yet: the first event's journal is read by its first step.
    expect(calls.filter((c) => c.startsWith('load'))).toEqual([`load ${journalId(first)}`]);

    // An earlier attempt of the second event got through its first step.
    const second = `${id}-2`;
    await redisStore.save(n.agent, journalId(second), { steps: { draft: { value: 'draft from the earlier attempt' } } });
    calls.length = 0;
    await publish(n.input, 2, second);
    const seen = await out.until((s) => s.length >= 2, 'the second output');
    expect(valueOf<{ posted: string }>(seen[1]!).posted).toBe('posted draft from the earlier attempt');
    expect(drafted).toEqual([1]);
    // One read for the batch, none by the step; then the one new step's write, and (once it is done) the journal cleared.
    const journalCalls = () => calls.filter((c) => c.includes(journalId(second)));
    await eventually(() => (journalCalls().length >= 3 ? true : undefined), 'the journal to be cleared', 10_000);
    expect(journalCalls()).toEqual([`loadMany ${journalId(second)}`, `save ${journalId(second)}`, `clear ${journalId(second)}`]);
  }, 60_000);
});
