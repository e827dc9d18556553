import type { Admin, Kafka } from 'kafkajs';
import { isIndexedTopic, rangesToIndex, type PartitionEnds } from '../../journey/indexed-topics';
import type { TraceIndex } from '../../journey/trace-index';
import { traceRowOf, type TraceRow } from '../../journey/trace-row';
import { readRanges, throwawayGroupId } from '../dlq/read-ranges';
import type { DlqRecord } from '../dlq/dead-letter';
import { ReplyReader } from './reply-reader';

export interface CatchUpResult {
  /** Records read and indexed. */
  records: number;
  partitions: number;
}

const MAX_KEY_CHARS = 200;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A key as text (`hex:` when it is not UTF-8), cut short: the index is a summary. */
function keyText(key: Buffer | null): string | null {
  if (key === null) return null;
  let text: string;
  try {
    text = strictUtf8.decode(key);
  } catch {
    text = `hex:${key.toString('hex')}`;
  }
  return text.length > MAX_KEY_CHARS ? text.slice(0, MAX_KEY_CHARS) : text;
}

/** Every indexed topic's partitions with their watermarks (ListOffsets; nothing is consumed). */
async function partitionEnds(admin: Admin): Promise<PartitionEnds[]> {
  const topics = (await admin.listTopics()).filter(isIndexedTopic);
  const perTopic = await Promise.all(topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map((o) => ({ topic, partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))));
  return perTopic.flat();
}

/**
 * Brings the index up to the current end of every indexed topic: reads only what was written since
 * it last stopped (its cursor per partition), so a trace costs the new records, not the whole log.
 * `onStart` hears how many records there are to read before reading starts.
 */
export async function catchUp(kafka: Kafka, admin: Admin, index: TraceIndex, replies: ReplyReader, onStart?: (records: number) => void): Promise<CatchUpResult> {
  const ranges = rangesToIndex(await partitionEnds(admin), await index.cursor());
  const total = ranges.reduce((n, r) => n + Number(r.end - r.start), 0);
  onStart?.(total);
  if (ranges.length === 0) return { records: 0, partitions: 0 };
  let records = 0;
  // One write in flight while the next batch is fetched: Kafka and Redis work side by side.
  let writing: Promise<void> = Promise.resolve();
  await readRanges(kafka, {
    groupId: throwawayGroupId('trace-index'),
    ranges,
    onRecords: async (batch: DlqRecord[]) => {
      const rows: TraceRow[] = [];
      for (const r of batch) {
        const row = traceRowOf({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: Number(r.timestamp), key: keyText(r.key), headers: r.headers });
        const reply = ReplyReader.reads(r.topic) ? await replies.summary(r.value) : undefined;
        if (reply) row.reply = reply;
        rows.push(row);
      }
      const last = batch[batch.length - 1]!;
      await writing;
      writing = index.write(rows, last.topic, last.partition, BigInt(last.offset) + 1n);
      // Failures surface on the next batch or below; until then, not as an unhandled rejection.
      writing.catch(() => undefined);
      records += batch.length;
    },
  });
  await writing;
  return { records, partitions: ranges.length };
}
