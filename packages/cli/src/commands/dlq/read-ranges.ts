import { randomBytes } from 'node:crypto';
import type { Headers } from '@agentmesh/runtime';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { DlqRecord } from './dead-letter';
import { DlqKafkaError, type PartitionRange } from './topics';

/** What a reader may do from inside a batch: keep its session alive, and move its group's offset. */
export interface BatchControl {
  heartbeat(): Promise<void>;
  /** Commits `offset` (the next one to read) for the partition of this batch. */
  commit(offset: bigint): Promise<void>;
}

export interface ReadRangesOptions {
  /** The consumer group to read as. Read-only commands use a throwaway one (`throwawayGroupId`) and never commit. */
  groupId: string;
  ranges: readonly PartitionRange[];
  /** Called with the records of one partition, in offset order, one batch at a time; 'stop' ends the read early. */
  onRecords(records: DlqRecord[], control: BatchControl): Promise<'stop' | void>;
  /** Give up when no record arrived for this long (another member holds a partition, the broker went away). Default 30 s. */
  stallTimeoutMs?: number;
}

/** A group id no one else uses; no offset is ever committed for it, so Kafka forgets it when the reader leaves. */
export function throwawayGroupId(purpose: string): string {
  return `mesh-dlq-${purpose}-${randomBytes(4).toString('hex')}`;
}

function stringHeaders(raw: KafkaMessage['headers']): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}

const rangeKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Reads each range from `start` up to (not including) `end`, and returns once
 * every range is read. kafkajs can only fetch as a group member, so this joins
 * `groupId`, seeks each partition to its start and never lets kafkajs commit;
 * a record is handed over once even if a fetch from before the seek arrives.
 * Empty ranges are not read at all.
 */
export async function readRanges(kafka: Kafka, options: ReadRangesOptions): Promise<void> {
  const pending = new Map<string, { range: PartitionRange; next: bigint }>();
  for (const range of options.ranges) if (range.end > range.start) pending.set(rangeKey(range.topic, range.partition), { range, next: range.start });
  if (pending.size === 0) return;
  const topics = [...new Set([...pending.values()].map((p) => p.range.topic))];
  const stallTimeoutMs = options.stallTimeoutMs ?? 30_000;

  // A crash fails the read (below); kafkajs must not also restart the consumer, or it would outlive the read in a long-running process (the console).
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 200, allowAutoTopicCreation: false, retry: { retries: 2, restartOnFailure: async () => false } });
  let settle: (error?: Error) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  // It may reject (a stall, a crash) while run() is still joining, before anyone awaits it.
  finished.catch(() => undefined);
  let ended = false; // once settled, later batches are ignored
  const fail = (error: Error) => {
    ended = true;
    settle(error);
  };
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      const left = [...pending.values()].map((p) => `${p.range.topic}/${p.range.partition} at ${p.next} of ${p.range.end}`);
      fail(new DlqKafkaError(`no records arrived for ${stallTimeoutMs} ms while reading ${left.join(', ')} (is another command reading as group '${options.groupId}'?)`));
    }, stallTimeoutMs);
  };

  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (event) => {
      const error = event.payload.error;
      fail(new DlqKafkaError(`reading ${topics.join(', ')} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    });
    await consumer.subscribe({ topics, fromBeginning: true });
    armStallTimer();
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs's heartbeat is a closure, made to be taken off the payload
      eachBatch: async ({ batch, heartbeat }) => {
        const progress = pending.get(rangeKey(batch.topic, batch.partition));
        if (ended || progress === undefined) return;
        const records: DlqRecord[] = [];
        let last: bigint | undefined;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          last = offset;
          if (offset < progress.next || offset >= progress.range.end) continue;
          records.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key: message.key,
            value: message.value,
            headers: stringHeaders(message.headers),
          });
        }
        if (last === undefined) return;
        // A rate-limited replay may spend long in onRecords: that is progress, not a stall.
        clearTimeout(stallTimer);
        try {
          if (records.length > 0) {
            const decision = await options.onRecords(records, {
              heartbeat,
              commit: (offset) => consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: offset.toString() }]),
            });
            if (decision === 'stop') {
              ended = true; // nothing more is handed over
              settle();
              return;
            }
          }
        } catch (error) {
          fail(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        armStallTimer();
        if (last + 1n > progress.next) progress.next = last + 1n;
        if (progress.next >= progress.range.end) {
          pending.delete(rangeKey(batch.topic, batch.partition));
          if (pending.size === 0) {
            ended = true;
            settle();
          }
        }
      },
    });
    for (const { range } of pending.values()) consumer.seek({ topic: range.topic, partition: range.partition, offset: range.start.toString() });
    await finished;
  } finally {
    clearTimeout(stallTimer);
    await consumer.disconnect().catch(() => undefined);
  }
}
