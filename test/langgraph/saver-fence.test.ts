import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { CheckpointConfigError, MESH_FENCE_KEY, MeshCheckpointSaver } from '@agentmesh/langgraph';
import { defineAgent, FencedError, RedisActiveLeaseStore, type AgentEvent, type WriteFence } from '@agentmesh/runtime';
import Redis from 'ioredis';
import pino from 'pino';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';
import { json, quiet, runtimeHarness, valueOf } from '../runtime/support';

// A one-active agent's LangGraph checkpoints are fenced like its mesh checkpoints: once another instance holds
// the agent's lease, a checkpoint or pending write of the deposed one is refused with FencedError, atomically in
// Redis even while the deposed instance still believes it is active.
jest.setTimeout(60_000);

let redis: Redis;
let leases: RedisActiveLeaseStore;
let prefix: string;
let saver: MeshCheckpointSaver;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL);
  leases = RedisActiveLeaseStore.connect(TEST_REDIS_URL, quiet);
});
afterAll(async () => {
  await leases.close();
  redis.disconnect();
});
beforeEach(() => {
  prefix = uniqueName('lg-fence');
  saver = new MeshCheckpointSaver({ url: TEST_REDIS_URL }, { keyPrefix: prefix, logger: pino({ level: 'silent' }) });
});
afterEach(async () => {
  await saver.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

/** An instance's fence as the worker hands it to handlers (ctx.fence): it still believes it is active. */
async function activeInstance(agent: string, instanceId: string): Promise<WriteFence> {
  const taken = await leases.acquire(agent, instanceId, 60_000);
  if (!taken.acquired) throw new Error(`${instanceId} did not get the lease`);
  return { assertLive: () => undefined, fence: () => leases.fence(agent, instanceId, taken.token) };
}

const checkpoint = (step: number): Checkpoint => ({ ...emptyCheckpoint(), id: uuid6(step), channel_values: { step }, channel_versions: { step: 1 } });
const configOf = (threadId: string, fence: WriteFence | undefined, checkpointId?: string) => ({
  configurable: { thread_id: threadId, checkpoint_ns: '', [MESH_FENCE_KEY]: fence, ...(checkpointId ? { checkpoint_id: checkpointId } : {}) },
});

describe('MeshCheckpointSaver under a one-active fence', () => {
  it("refuses the deposed instance's checkpoint and writes with FencedError, and takes the new active one's", async () => {
    const agent = uniqueName('lg-agent');
    const thread = uniqueName('thread');
    const a = await activeInstance(agent, 'instance-a');
    const [one, two, three] = [checkpoint(1), checkpoint(2), checkpoint(3)];
    const first = await saver.put(configOf(thread, a), one, { source: 'loop', step: 1, parents: {} }, { step: 1 });

    // A's lease lapses (A has not noticed) and B takes it.
    await redis.del(leases.leaseKey(agent));
    const b = await activeInstance(agent, 'instance-b');

    await expect(saver.put(configOf(thread, a, first.configurable?.checkpoint_id as string), two, { source: 'loop', step: 2, parents: {} }, { step: 2 })).rejects.toThrow(FencedError);
    await expect(saver.putWrites(configOf(thread, a, first.configurable?.checkpoint_id as string), [['step', 99]], 'task-a')).rejects.toThrow(FencedError);
    // Nothing of A's refused calls reached Redis: the newest checkpoint is still the first, without pending writes.
    const latest = await saver.getTuple({ configurable: { thread_id: thread } });
    expect(latest?.checkpoint.id).toBe(one.id);
    expect(latest?.pendingWrites).toEqual([]);

    await saver.put(configOf(thread, b, first.configurable?.checkpoint_id as string), three, { source: 'loop', step: 2, parents: {} }, { step: 2 });
    expect((await saver.getTuple({ configurable: { thread_id: thread } }))?.checkpoint.id).toBe(three.id);
  });

  it('refuses before Redis once the instance knows it is deposed, and says what is wrong with a bad fence', async () => {
    const thread = uniqueName('thread');
    const knowsItIsDeposed: WriteFence = {
      assertLive: () => {
        throw new FencedError('activity', 'instance-a is not the active instance: the write is refused');
      },
      fence: () => undefined,
    };
    await expect(saver.put(configOf(thread, knowsItIsDeposed), checkpoint(1), { source: 'loop', step: 1, parents: {} }, {})).rejects.toThrow(FencedError);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    const bad = { configurable: { thread_id: thread, [MESH_FENCE_KEY]: 'token-7' } };
    await expect(saver.put(bad, checkpoint(1), { source: 'loop', step: 1, parents: {} }, {})).rejects.toThrow(CheckpointConfigError);
  });

  it("a one-active agent's graph gets ctx.fence: after the lease moves mid-graph, its next checkpoint is refused", async () => {
    const h = await runtimeHarness();
    try {
      const name = uniqueName('lg-one-active');
      const [input, output] = [`in-${name}`, `out-${name}`];
      await h.kafka.admin().createTopics({ topics: [input, output].map((topic) => ({ topic, numPartitions: 1 })) });
      let entered!: () => void;
      const inNodeTwo = new Promise<void>((resolve) => (entered = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const refusals: string[] = [];
      const State = Annotation.Root({ trail: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }) });
      const graphOf = (by: 'A' | 'B') =>
        new StateGraph(State)
          .addNode('one', () => ({ trail: ['one'] }))
          .addNode('two', async () => {
            if (by === 'A') {
              entered();
              await gate;
            }
            return { trail: ['two'] };
          })
          .addEdge(START, 'one')
          .addEdge('one', 'two')
          .addEdge('two', END)
          .compile({ checkpointer: saver });
      const agentOf = (by: 'A' | 'B') => {
        const graph = graphOf(by);
        return defineAgent<{ id: string }>({
          name,
          consumes: [input],
          produces: [output],
          instances: 'one-active',
          timeoutMs: 20_000,
          async handle(event: AgentEvent<{ id: string }>, ctx) {
            const config = { configurable: { thread_id: `${name}-${event.value.id}`, [MESH_FENCE_KEY]: ctx.fence }, durability: 'sync' as const };
            try {
              // A checkpoint of an earlier attempt (another instance's, too): `null` resumes from it.
              const earlier = await saver.getTuple(config);
              const result = await graph.invoke(earlier ? null : { trail: [] }, config);
              return [{ topic: output, value: { id: event.value.id, by, trail: result.trail, resumed: earlier !== undefined } }];
            } catch (error) {
              if (by === 'A') refusals.push((error as Error).name);
              throw error;
            }
          },
        });
      };
      const options = { activeLeases: leases, leaseTiming: { ttlMs: 4_000 } };
      await h.start(agentOf('A'), { ...options, instanceId: `A-${name}` });
      const seen = await h.watch([output]);
      const producer = h.kafka.producer();
      await producer.connect();
      await producer.send({ topic: input, messages: [{ key: 'g', value: json({ id: 'g' }) }] });
      await inNodeTwo;

      // The lease moves while A's graph is in node two; B becomes the active instance.
      await redis.del(leases.leaseKey(name));
      await h.start(agentOf('B'), { ...options, instanceId: `B-${name}` });
      const outputs = await seen.until((s) => s.length > 0, "B's output of the event");
      release();
      await producer.disconnect();
      expect(valueOf<{ by: string; trail: string[] }>(outputs[0]!)).toMatchObject({ by: 'B', trail: ['one', 'two'], resumed: true });
      const deadline = Date.now() + 20_000;
      while (refusals.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(refusals).toEqual(['FencedError']);
    } finally {
      await h.close();
    }
  });
});
