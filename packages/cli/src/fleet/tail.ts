import type { Consumer, Kafka } from 'kafkajs';
import { throwawayGroupId } from '../commands/dlq/read-ranges';
import { DlqKafkaError, type PartitionRange } from '../commands/dlq/topics';

/** One record of a tailed topic, as the tail hands it over. */
export interface TailRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  value: Buffer | null;
}

const key = (topic: string, partition: number) => `${topic}/${partition}`;

/**
 * Follows topics from given offsets for as long as it runs, as a throwaway group member that commits nothing: a
 * long-running fleet reader reads each heartbeat once, instead of the whole window at every refresh.
 */
export class TopicTail {
  private consumer: Consumer | undefined;
  private readonly next = new Map<string, bigint>();
  private failure: Error | undefined;
  private followed: readonly string[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly onRecord: (record: TailRecord) => Promise<void>,
  ) {}

  /** The topics it follows now; none before start. */
  get topics(): readonly string[] {
    return this.followed;
  }

  /** Starts following each range's topic partition from the range's start (its end is ignored: the tail goes on). */
  async start(ranges: readonly PartitionRange[]): Promise<void> {
    await this.stop();
    this.failure = undefined;
    this.next.clear();
    for (const r of ranges) this.next.set(key(r.topic, r.partition), r.start);
    const topics = [...new Set(ranges.map((r) => r.topic))];
    const consumer = this.kafka.consumer({ groupId: throwawayGroupId('fleet'), maxWaitTimeInMs: 500, allowAutoTopicCreation: false, retry: { retries: 2 } });
    this.consumer = consumer;
    this.followed = topics;
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      this.failure = new DlqKafkaError(`following ${topics.join(', ')} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const k = key(batch.topic, batch.partition);
        const from = this.next.get(k) ?? 0n;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          // A fetch from before the seek may hand over records already read, or older than the start.
          if (offset < from) continue;
          await this.onRecord({ topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp, value: message.value });
          this.next.set(k, offset + 1n);
        }
      },
    });
    for (const r of ranges) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.start.toString() });
  }

  /** Resolves once every partition is read up to `ends` (the next offset to be written, per topic/partition); fails after `timeoutMs` or when the tail crashed. */
  async until(ends: ReadonlyMap<string, bigint>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure) throw this.failure;
      const behind = [...ends].filter(([k, end]) => (this.next.get(k) ?? end) < end);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new DlqKafkaError(`no records arrived for ${timeoutMs} ms while following ${behind.map(([k, end]) => `${k} at ${this.next.get(k)} of ${end}`).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.followed = [];
    await consumer?.disconnect().catch(() => undefined);
  }
}
