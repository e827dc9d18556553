import { HEARTBEAT_TOPIC } from '@agentmesh/runtime/internal/fleet';
import type { Admin } from 'kafkajs';
import type { PartitionRange } from '../commands/dlq/topics';
import { isUndecodable, MeshValueDecoder, NEEDS_REGISTRY } from './decode';
import { fleetHeartbeat, type FleetHeartbeat } from './heartbeat';
import type { FetchedRecord, PartitionReader } from './partition-reader';

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
 * The mesh's own records a fleet reader needs, heartbeats and saga.stuck notices, followed from one read to the next:
 * the first read starts at the window's beginning, later ones read only what was written since (each record is read
 * and decoded once), and what falls out of the window is let go.
 */
export class MeshRecords {
  private heartbeats: FleetHeartbeat[] = [];
  private stuck: StuckSaga[] = [];
  private notes: FleetReadNotes = { undecodable: 0 };
  private readonly decoder: MeshValueDecoder;
  /** The next offset to read, by topic/partition; empty until the first read. */
  private readonly next = new Map<string, bigint>();
  private followed = '';

  constructor(
    private readonly reader: PartitionReader,
    registryUrl: string,
  ) {
    this.decoder = new MeshValueDecoder(registryUrl);
  }

  /** The records of the window ending now: `existing` are the cluster's topics (mesh.heartbeats among them). */
  async read(admin: Admin, existing: ReadonlySet<string>, since: number): Promise<{ heartbeats: FleetHeartbeat[]; stuckSagas: StuckSaga[]; notes: FleetReadNotes }> {
    const topics = [HEARTBEAT_TOPIC, ...(existing.has(SAGA_STUCK_TOPIC) ? [SAGA_STUCK_TOPIC] : [])];
    let ranges: PartitionRange[];
    // The first read, or a topic that appeared since (the first stuck saga): from the window's beginning.
    if (topics.join() !== this.followed) {
      this.forget();
      ranges = (await Promise.all(topics.map((t) => rangesSince(admin, t, since)))).flat();
      this.followed = topics.join();
    } else
      ranges = (await Promise.all(topics.map(async (t) => (await admin.fetchTopicOffsets(t)).map((o) => ({ topic: t, partition: o.partition, end: BigInt(o.high) }))))).flat().map((r) => {
        const next = this.next.get(`${r.topic}/${r.partition}`);
        // A partition added since, or a log that restarted below where it was read to: from its start.
        return { ...r, start: next === undefined || next > r.end ? 0n : next };
      });
    await this.reader.read(ranges, (record) => this.add(record));
    for (const r of ranges) this.next.set(`${r.topic}/${r.partition}`, r.end);
    this.heartbeats = this.heartbeats.filter((h) => h.sentAt >= since);
    this.stuck = this.stuck.filter((s) => s.at >= since);
    return { heartbeats: this.heartbeats, stuckSagas: this.stuck, notes: { ...this.notes } };
  }

  /** The next read starts from the window's beginning again (after a broker went away, say). */
  forget(): void {
    this.heartbeats = [];
    this.stuck = [];
    this.notes = { undecodable: 0 };
    this.next.clear();
    this.followed = '';
  }

  /** Takes one record in; JSON ones at once (no promise each: a first read decodes thousands). */
  private add(record: FetchedRecord): void | Promise<void> {
    const now = this.decoder.decodeNow(record.value);
    if (now !== NEEDS_REGISTRY) return this.take(record, now);
    return this.decoder.decodeAvro(record.topic, record.value!).then((value) => this.take(record, value));
  }

  private take(record: FetchedRecord, value: unknown): void {
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
