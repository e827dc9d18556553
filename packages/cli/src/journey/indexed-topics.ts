import { HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal';

/**
 * Topics no journey passes through: Kafka's and the registry's internals, heartbeats, and
 * saga.events, the coordinator's audit log (the same story as the commands and replies, which
 * the trace shows).
 */
const NOT_JOURNEYS: ReadonlySet<string> = new Set(['_schemas', HEARTBEAT_TOPIC, 'saga.events']);

/** Whether the trace index reads `topic`. */
export function isIndexedTopic(topic: string): boolean {
  return !topic.startsWith('__') && !NOT_JOURNEYS.has(topic);
}

export interface PartitionEnds {
  topic: string;
  partition: number;
  low: bigint;
  high: bigint;
}

export interface IndexRange {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

export const cursorField = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * What the index still has to read: each partition from where it stopped (its cursor) to the
 * current end. A cursor below the low watermark (retention deleted records) starts at the low
 * one; a cursor past the end (the topic was deleted and made again) reads the partition again.
 */
export function rangesToIndex(ends: readonly PartitionEnds[], cursor: ReadonlyMap<string, bigint>): IndexRange[] {
  const ranges: IndexRange[] = [];
  for (const e of ends) {
    const at = cursor.get(cursorField(e.topic, e.partition));
    const start = at === undefined || at > e.high || at < e.low ? e.low : at;
    if (e.high > start) ranges.push({ topic: e.topic, partition: e.partition, start, end: e.high });
  }
  return ranges;
}
