import { dlqTopic, HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal/fleet';
import type { Admin } from 'kafkajs';
import type { FleetHeartbeat } from './heartbeat';
import type { LivenessTtl } from './liveness';
import type { FleetReadNotes, MeshRecords } from './mesh-records';
import type { FleetInput, PartitionOffsets } from './model';
import type { PartitionReader } from './partition-reader';

const SAGA_REPLIES_TOPIC = 'saga.replies';
const TRIGGER_GROUP_SUFFIX = '.triggers';

/** No process has ever announced itself on this cluster. */
export class NoMeshError extends Error {
  override readonly name = 'NoMeshError';
}

export interface FleetReadOptions {
  admin: Admin;
  /** Reads the records at the groups' positions (and, through `records`, the mesh's own topics). */
  partitions: PartitionReader;
  /** The heartbeats and stuck sagas, followed from one read to the next. */
  records: MeshRecords;
  windowMs: number;
  ttl?: LivenessTtl;
  clock?: () => number;
  /** Timestamps of records read by earlier reads (topic, partition, offset), kept by a long-running reader; filled here. */
  recordTimes?: Map<string, number>;
}

/** The group that consumes `topic` for the sender: a coordinator reads replies as its group and triggers as `<group>.triggers`. */
export function groupOfTopic(h: Pick<FleetHeartbeat, 'kind' | 'group'>, topic: string): string {
  return h.kind === 'coordinator' && topic !== SAGA_REPLIES_TOPIC ? `${h.group}${TRIGGER_GROUP_SUFFIX}` : h.group;
}

/**
 * The fleet model's input: the window's heartbeats and saga.stuck records (followed by `records`), each group's
 * committed offsets against the high watermarks (so lag is right while an agent is paused, crashed or gone), the
 * timestamp of each lagging partition's oldest unconsumed record, and the size of every dead-letter topic.
 */
export async function readFleet(options: FleetReadOptions): Promise<{ input: FleetInput; notes: FleetReadNotes }> {
  const { admin, windowMs } = options;
  const now = (options.clock ?? Date.now)();
  const existing = new Set(await admin.listTopics());
  if (!existing.has(HEARTBEAT_TOPIC)) throw new NoMeshError(`the topic ${HEARTBEAT_TOPIC} does not exist`);
  const { heartbeats, stuckSagas, notes } = await options.records.read(admin, existing, now - windowMs);

  // Each group's topics, as its heartbeats name them; topics that do not exist (yet) have no lag.
  const topicsByGroup = new Map<string, Set<string>>();
  const agents = new Set<string>();
  for (const h of heartbeats) {
    agents.add(h.agent);
    for (const t of h.topics) {
      if (!existing.has(t)) continue;
      const group = groupOfTopic(h, t);
      const topics = topicsByGroup.get(group) ?? new Set<string>();
      topicsByGroup.set(group, topics.add(t));
    }
  }
  const allTopics = new Set([...topicsByGroup.values()].flatMap((s) => [...s]));
  const dlqTopics = [...agents].map((a) => [a, dlqTopic(a)] as const).filter(([, t]) => existing.has(t));
  const endTopics = [...new Set([...allTopics, ...dlqTopics.map(([, t]) => t)])];
  const ends = await options.partitions.ends(endTopics);
  const offsets = new Map<string, PartitionOffsets[]>();
  await Promise.all(
    [...topicsByGroup].map(async ([group, topics]) => {
      if (topics.size === 0) return offsets.set(group, []);
      const byKey = await options.partitions.committed(group, [...topics]);
      offsets.set(
        group,
        [...topics].flatMap((topic) =>
          (ends.get(topic) ?? []).map((e) => {
            const c = byKey.get(`${topic}/${e.partition}`);
            return { topic, partition: e.partition, committed: c === undefined || c < 0 ? null : c, high: e.high, low: e.low, oldestUnconsumedAt: null };
          }),
        ),
      );
    }),
  );

  // The age of the oldest unconsumed record: the record at the group's position, one per lagging partition.
  const lagging = new Map<string, PartitionOffsets[]>();
  for (const list of offsets.values())
    for (const o of list) {
      const position = o.committed === null ? o.low : Math.max(o.committed, o.low);
      if (position < o.high) {
        const key = `${o.topic}\u0000${o.partition}\u0000${position}`;
        lagging.set(key, [...(lagging.get(key) ?? []), o]);
      }
    }
  // A record's timestamp never changes: positions read before are not read again.
  const known = options.recordTimes ?? new Map<string, number>();
  for (const [k, list] of lagging) {
    const at = known.get(k);
    if (at === undefined) continue;
    for (const o of list) o.oldestUnconsumedAt = at;
    lagging.delete(k);
  }
  if (lagging.size > 0) {
    const oldest = [...lagging.keys()].map((k) => {
      const [topic, partition, position] = k.split('\u0000') as [string, string, string];
      return { topic, partition: Number(partition), start: BigInt(position), end: BigInt(position) + 1n };
    });
    await options.partitions.read(oldest, (record) => {
      const k = `${record.topic}\u0000${record.partition}\u0000${record.offset}`;
      known.set(k, Number(record.timestamp));
      for (const o of lagging.get(k) ?? []) o.oldestUnconsumedAt = Number(record.timestamp);
    });
  }

  const dlqSizes = new Map(dlqTopics.map(([agent, topic]) => [agent, (ends.get(topic) ?? []).reduce((n, e) => n + Math.max(0, e.high - e.low), 0)]));
  return { input: { now, windowMs, ...(options.ttl ? { ttl: options.ttl } : {}), heartbeats, offsets, dlqSizes, stuckSagas }, notes };
}
