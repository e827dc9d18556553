import { dlqTopic } from '@agentmesh/runtime/internal/fleet';
import type { Admin } from 'kafkajs';
import { kafkaErrorMessage } from '../../kafka';
import { UsageError } from '../../options';
import { agentOfDlqTopic } from './dead-letter';

/** Kafka could not be asked (unreachable, refused, too slow). */
export class DlqKafkaError extends Error {
  override readonly name = 'DlqKafkaError';
}

/** One partition's slice of a topic to read: offsets `start` (inclusive) to `end` (exclusive). */
export interface PartitionRange {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

export interface PartitionWatermarks {
  partition: number;
  low: bigint;
  high: bigint;
}

export async function withKafka<T>(brokers: readonly string[], what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UsageError || error instanceof DlqKafkaError) throw error;
    // Only kafkajs failures are rewrapped; our own typed errors pass through.
    if (error instanceof Error && error.name.startsWith('KafkaJS')) throw new DlqKafkaError(`could not ${what} on ${brokers.join(',')}: ${kafkaErrorMessage(error)}`, { cause: error });
    throw error;
  }
}

/** Every `<agent>.dlq` topic, as agent -> topic, sorted by agent. */
export async function listDlqTopics(admin: Admin): Promise<Map<string, string>> {
  const topics = await admin.listTopics();
  const found = topics.flatMap((topic) => {
    const agent = agentOfDlqTopic(topic);
    return agent === undefined ? [] : [[agent, topic] as const];
  });
  return new Map(found.sort(([a], [b]) => a.localeCompare(b)));
}

/** The one agent's DLQ topic; a UsageError naming the agents that have one when it does not exist. */
export async function requireDlqTopic(admin: Admin, agent: string): Promise<string> {
  const all = await listDlqTopics(admin);
  const topic = all.get(agent);
  if (topic !== undefined) return topic;
  const known = [...all.keys()];
  throw new UsageError(`no dead-letter topic '${dlqTopic(agent)}': agent '${agent}' has never run here (${known.length > 0 ? `agents with a DLQ: ${known.join(', ')}` : 'there are no DLQ topics'})`);
}

/** Low and high watermarks of every partition (ListOffsets; nothing is consumed). */
export async function watermarks(admin: Admin, topic: string): Promise<PartitionWatermarks[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) })).sort((a, b) => a.partition - b.partition);
}

/** Offsets `groupId` has committed on `topic`, per partition; partitions it never committed are absent. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = new Map<number, bigint>();
  for (const p of fetched?.partitions ?? []) {
    const offset = BigInt(p.offset);
    if (offset >= 0n) committed.set(p.partition, offset);
  }
  return committed;
}

/** How many records a set of ranges holds. */
export function rangeSize(ranges: readonly PartitionRange[]): number {
  return ranges.reduce((n, r) => n + Number(r.end > r.start ? r.end - r.start : 0n), 0);
}
