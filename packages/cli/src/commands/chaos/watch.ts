import { randomBytes } from 'node:crypto';
import { headersToStrings } from '@agentmesh/runtime/internal';
import type { Admin, Consumer, Kafka } from 'kafkajs';

/** A record as the watcher hands it over. */
export interface WatchedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface PartitionStart {
  topic: string;
  partition: number;
  offset: string;
}

/** Where each partition of `topics` ends now: what a watcher started afterwards reads from. */
export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<PartitionStart[]> {
  const starts: PartitionStart[] = [];
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) starts.push({ topic, partition: p.partition, offset: p.high });
  return starts;
}

/**
 * Reads `starts`' topics from those offsets on, for as long as a scenario runs, as a throwaway group that
 * commits nothing (kafkajs fetches only as a group member). Records before a start, and records handed
 * over again, are skipped.
 */
export class TopicWatcher {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly onRecord: (record: WatchedRecord) => void,
  ) {}

  async start(starts: readonly PartitionStart[]): Promise<void> {
    const from = new Map(starts.map((s) => [`${s.topic}\u0000${s.partition}`, BigInt(s.offset)]));
    const consumer = this.kafka.consumer({ groupId: `mesh-chaos-watch-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(starts.map((s) => s.topic))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}\u0000${batch.partition}`;
        for (const m of batch.messages) {
          // Each offset once: a fetch from before the seek, or the seek itself, may hand records again.
          if (BigInt(m.offset) < (from.get(key) ?? 0n)) continue;
          from.set(key, BigInt(m.offset) + 1n);
          this.onRecord({ topic: batch.topic, partition: batch.partition, offset: m.offset, timestamp: Number(m.timestamp), key: m.key, value: m.value, headers: headersToStrings(m.headers) });
        }
        return Promise.resolve();
      },
    });
    for (const s of starts) consumer.seek({ topic: s.topic, partition: s.partition, offset: s.offset });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
