import { HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal';
import type { Admin, Kafka } from 'kafkajs';
import type { PartitionRange } from '../commands/dlq/topics';
import { isUndecodable, MeshValueDecoder } from './decode';
import { fleetHeartbeat, type FleetHeartbeat } from './heartbeat';
import { TopicTail, type TailRecord } from './tail';

/** The topic a coordinator publishes a saga that waits for an operator on. */
export const SAGA_STUCK_TOPIC = 'saga.stuck';

/** Records that could not be used, and why the first could not. */
export interface FleetReadNotes {
  undecodable: number;
  undecodableReason?: string;
}

export interface StuckSaga {
  sagaType: string;
  at: number;
}

/** Where each partition of `topic` holds its first record of `since` or later, up to its end now. */
async function rangesSince(admin: Admin, topic: string, since: number): Promise<PartitionRange[]> {
  const [ends, starts] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchTopicOffsetsByTimestamp(topic, since)]);
  const startOf = new Map(starts.map((s) => [s.partition, BigInt(s.offset)]));
  return ends.map((e) => {
    const high = BigInt(e.high);
    const found = startOf.get(e.partition) ?? -1n;
    return { topic, partition: e.partition, start: found < 0n || found > high ? high : found, end: high };
  });
}

/**
 * The mesh's own records a fleet reader needs, heartbeats and saga.stuck notices, followed as they arrive: started at
 * the window's beginning, then each record is read and decoded once, and what falls out of the window is let go.
 */
export class MeshRecords {
  private heartbeats: FleetHeartbeat[] = [];
  private stuck: StuckSaga[] = [];
  private notes: FleetReadNotes = { undecodable: 0 };
  private readonly decoder: MeshValueDecoder;
  private readonly tail: TopicTail;

  constructor(kafka: Kafka, registryUrl: string) {
    this.decoder = new MeshValueDecoder(registryUrl);
    this.tail = new TopicTail(kafka, (record) => this.add(record));
  }

  /** The records of the window ending now: `existing` are the cluster's topics (mesh.heartbeats among them). */
  async read(admin: Admin, existing: ReadonlySet<string>, since: number, timeoutMs: number): Promise<{ heartbeats: FleetHeartbeat[]; stuckSagas: StuckSaga[]; notes: FleetReadNotes }> {
    const topics = [HEARTBEAT_TOPIC, ...(existing.has(SAGA_STUCK_TOPIC) ? [SAGA_STUCK_TOPIC] : [])];
    // A topic that appeared since the tail started (the first stuck saga) starts it over.
    if (topics.join() !== this.tail.topics.join()) {
      this.heartbeats = [];
      this.stuck = [];
      this.notes = { undecodable: 0 };
      await this.tail.start((await Promise.all(topics.map((t) => rangesSince(admin, t, since)))).flat());
    }
    const ends = new Map<string, bigint>();
    for (const t of topics) for (const o of await admin.fetchTopicOffsets(t)) ends.set(`${t}/${o.partition}`, BigInt(o.high));
    await this.tail.until(ends, timeoutMs);
    this.heartbeats = this.heartbeats.filter((h) => h.sentAt >= since);
    this.stuck = this.stuck.filter((s) => s.at >= since);
    return { heartbeats: this.heartbeats, stuckSagas: this.stuck, notes: { ...this.notes } };
  }

  /** Stops following; the next read starts from the window's beginning again (after a broker went away, say). */
  async close(): Promise<void> {
    await this.tail.stop();
  }

  private async add(record: TailRecord): Promise<void> {
    const value = await this.decoder.decode(record.topic, record.value);
    if (record.topic === SAGA_STUCK_TOPIC) {
      const sagaType = typeof value === 'object' && value !== null ? (value as { sagaType?: unknown }).sagaType : undefined;
      // A stuck saga counts even when its record cannot be read: by its type when it can.
      this.stuck.push({ sagaType: typeof sagaType === 'string' ? sagaType : SAGA_STUCK_TOPIC, at: Number(record.timestamp) });
      return;
    }
    const heartbeat = isUndecodable(value) ? undefined : fleetHeartbeat(value);
    if (heartbeat) this.heartbeats.push(heartbeat);
    else {
      this.notes.undecodable += 1;
      this.notes.undecodableReason ??= isUndecodable(value) ? value.undecodable : 'a value that is not a heartbeat';
    }
  }
}
