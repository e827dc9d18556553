import { validate } from '@langchain/langgraph-checkpoint-validation';
import { MeshCheckpointSaver } from '@agentmesh/langgraph';
import Redis from 'ioredis';
import pino from 'pino';
import { uniqueName } from '../support/kafka';
import { TEST_REDIS_URL } from '../support/redis';

// LangGraph.js's own checkpointer conformance suite, run against the saver on the real Redis. Each
// checkpointer gets its own key prefix, so no instance reads another's threads (the suite's isolation rule),
// and its keys are deleted when the suite is done with it.
jest.setTimeout(60_000);

// The suite uses vitest's expect.soft in one place; jest has none, so that check runs as a plain (fatal) expect.
const withSoft = expect as typeof expect & { soft?: typeof expect };
withSoft.soft ??= expect;

let redis: Redis;
const prefixes = new Map<MeshCheckpointSaver, string>();

async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

validate<MeshCheckpointSaver>({
  checkpointerName: 'MeshCheckpointSaver',
  beforeAll: () => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  },
  afterAll: async () => {
    await redis.quit();
  },
  createCheckpointer: () => {
    const prefix = uniqueName('lg-conformance');
    const saver = new MeshCheckpointSaver({ url: TEST_REDIS_URL }, { keyPrefix: prefix, logger: pino({ level: 'silent' }) });
    prefixes.set(saver, prefix);
    return saver;
  },
  destroyCheckpointer: async (saver) => {
    await saver.close();
    await deleteKeys(prefixes.get(saver)!);
    prefixes.delete(saver);
  },
});
