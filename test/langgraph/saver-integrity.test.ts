import { emptyCheckpoint, uuid6, type Checkpoint } from '@langchain/langgraph-checkpoint';
import { CheckpointConfigError, MeshCheckpointSaver, type IntegrityFailure } from '@agentmesh/langgraph';
import Redis from 'ioredis';
import pino from 'pino';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// What the saver adds to LangGraph's contract: SHA-256 checks on read with fallback to the newest
// intact checkpoint, one hash-tagged key space per thread, TTL, and clear errors for bad calls.
jest.setTimeout(30_000);

let redis: Redis;
let prefix: string;
let saver: MeshCheckpointSaver;
let failures: IntegrityFailure[];

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  prefix = uniqueName('lg-integrity');
  failures = [];
  saver = new MeshCheckpointSaver({ url: TEST_REDIS_URL }, { keyPrefix: prefix, logger: pino({ level: 'silent' }), onIntegrityFailure: (f) => failures.push(f) });
});
afterEach(async () => {
  await saver.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

function checkpointWith(step: number): Checkpoint {
  return { ...emptyCheckpoint(), id: uuid6(step), channel_values: { step }, channel_versions: { step } };
}

/** Three checkpoints of one thread, each the parent of the next; returns their ids, oldest first. */
async function threeSteps(threadId: string): Promise<string[]> {
  let config = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
  const ids: string[] = [];
  for (const step of [1, 2, 3]) {
    const checkpoint = checkpointWith(step);
    config = (await saver.put(config, checkpoint, { source: 'loop', step, parents: {} }, { step })) as typeof config;
    ids.push(checkpoint.id);
  }
  return ids;
}

/** The record with its stored value changed after it was hashed (a flipped byte on disk or in transit). */
function flipOneCharacter(text: string): string {
  const record = JSON.parse(text) as { sha256: string; body: string };
  return JSON.stringify({ ...record, body: record.body.replace('"base64":"', '"base64":"A') });
}

describe('MeshCheckpointSaver integrity', () => {
  it('skips a corrupt newest checkpoint for the newest intact one, and reports it', async () => {
    const ids = await threeSteps('t-corrupt');
    const key = saver.keysOf('t-corrupt').checkpoints('');
    await redis.hset(key, ids[2]!, flipOneCharacter((await redis.hget(key, ids[2]!))!));

    const tuple = await saver.getTuple({ configurable: { thread_id: 't-corrupt' } });
    expect(tuple?.checkpoint.id).toBe(ids[1]);
    expect(tuple?.checkpoint.channel_values).toEqual({ step: 2 });
    expect(tuple?.parentConfig?.configurable?.checkpoint_id).toBe(ids[0]);
    expect(failures).toEqual([{ threadId: 't-corrupt', namespace: '', checkpointId: ids[2], reason: 'hash-mismatch' }]);

    // Asked for by id, the corrupt one is absent; list leaves it out too.
    expect(await saver.getTuple({ configurable: { thread_id: 't-corrupt', checkpoint_id: ids[2] } })).toBeUndefined();
    const listed: string[] = [];
    for await (const t of saver.list({ configurable: { thread_id: 't-corrupt' } })) listed.push(t.checkpoint.id);
    expect(listed).toEqual([ids[1], ids[0]]);
  });

  it('does not take an intact record copied under another checkpoint id', async () => {
    const ids = await threeSteps('t-copied');
    const key = saver.keysOf('t-copied').checkpoints('');
    await redis.hset(key, ids[2]!, (await redis.hget(key, ids[0]!))!);
    const tuple = await saver.getTuple({ configurable: { thread_id: 't-copied' } });
    expect(tuple?.checkpoint.id).toBe(ids[1]);
    expect(failures.map((f) => f.reason)).toEqual(['identity-mismatch']);
  });

  it('falls back when a channel value of the newest checkpoint is corrupt', async () => {
    const ids = await threeSteps('t-blob');
    const key = saver.keysOf('t-blob').blobs('');
    const field = JSON.stringify(['step', 3]);
    await redis.hset(key, field, flipOneCharacter((await redis.hget(key, field))!));
    const tuple = await saver.getTuple({ configurable: { thread_id: 't-blob' } });
    expect(tuple?.checkpoint.id).toBe(ids[1]);
    expect(failures.map((f) => [f.blob ?? f.checkpointId, f.reason])).toEqual([
      [field, 'hash-mismatch'],
      [ids[2], 'incomplete'],
    ]);
  });

  it('drops a corrupt pending write and keeps the others', async () => {
    const ids = await threeSteps('t-writes');
    const config = { configurable: { thread_id: 't-writes', checkpoint_ns: '', checkpoint_id: ids[2] } };
    await saver.putWrites(
      config,
      [
        ['a', 1],
        ['b', 2],
      ],
      'task-1',
    );
    const key = saver.keysOf('t-writes').writes('', ids[2]!);
    await redis.hset(key, 'task-1,0', flipOneCharacter((await redis.hget(key, 'task-1,0'))!));
    const tuple = await saver.getTuple(config);
    expect(tuple?.pendingWrites).toEqual([['task-1', 'b', 2]]);
    expect(failures).toEqual([{ threadId: 't-writes', namespace: '', checkpointId: ids[2], write: 'task-1,0', reason: 'hash-mismatch' }]);
  });

  it("keeps a thread's keys under one hash tag, expires them with ttlMs, and deletes them all", async () => {
    await saver.close();
    saver = new MeshCheckpointSaver({ url: TEST_REDIS_URL }, { keyPrefix: prefix, ttlMs: 60_000, logger: pino({ level: 'silent' }) });
    const ids = await threeSteps('order:42');
    await saver.putWrites({ configurable: { thread_id: 'order:42', checkpoint_id: ids[2] } }, [['a', 1]], 'task-1');
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBe(5); // thread, checkpoints, index, channel values, one checkpoint's writes
    for (const key of keys) {
      expect(key.startsWith(`${prefix}:{order:42}:`)).toBe(true);
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    await saver.deleteThread('order:42');
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    expect(await saver.getTuple({ configurable: { thread_id: 'order:42' } })).toBeUndefined();
  });

  it('refuses calls without the ids they need, in one line', async () => {
    await expect(saver.put({ configurable: {} }, checkpointWith(1), { source: 'input', step: -1, parents: {} }, {})).rejects.toThrow(
      new CheckpointConfigError('cannot save a checkpoint: config.configurable.thread_id is missing'),
    );
    await expect(saver.putWrites({ configurable: { thread_id: 't' } }, [['a', 1]], 'task')).rejects.toBeInstanceOf(CheckpointConfigError);
    expect(() => new MeshCheckpointSaver({ url: TEST_REDIS_URL }, { ttlMs: -1 })).toThrow('ttlMs must be a positive integer of milliseconds, got -1');
  });
});
