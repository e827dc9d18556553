import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { TEST_REDIS_URL } from './redis';

/** Deletes the trace index `mesh trace` built in the shared Redis for this test's broker (its keys are per cluster id). */
export async function deleteTraceIndex(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    const { clusterId } = await admin.describeCluster();
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `mesh:trace:${clusterId}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await admin.disconnect().catch(() => undefined);
    redis.disconnect();
  }
}
