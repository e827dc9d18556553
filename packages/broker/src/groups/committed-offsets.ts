import type { CommittedOffsetRecord, Storage } from '../storage/storage';

export interface CommittedOffset {
  readonly offset: number;
  readonly metadata: string | null;
  readonly commitTimestamp: number;
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
  readonly commitTimestamp: number;
}

/** Storage's way of saying "forget this entry". */
const DELETED = -1;

/**
 * Committed offsets per group, topic and partition. Every change goes to
 * storage first (durable before it returns), then into memory, so what a
 * client was told is committed survives a restart on a data dir.
 */
export class CommittedOffsets {
  private readonly byGroup = new Map<string, Map<string, Map<number, CommittedOffset>>>();

  constructor(private readonly storage: Storage) {
    for (const record of storage.loadCommittedOffsets()) {
      if (record.offset === DELETED) continue;
      this.set(record.group, record.topic, record.partition, {
        offset: record.offset,
        metadata: record.metadata,
        commitTimestamp: record.commitTimestamp,
      });
    }
  }

  private set(group: string, topic: string, partition: number, value: CommittedOffset): void {
    let topics = this.byGroup.get(group);
    if (!topics) this.byGroup.set(group, (topics = new Map<string, Map<number, CommittedOffset>>()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map<number, CommittedOffset>()));
    partitions.set(partition, value);
  }

  commit(group: string, offsets: readonly OffsetToCommit[]): void {
    if (offsets.length === 0) return;
    this.storage.saveCommittedOffsets(offsets.map((o) => ({ group, ...o })));
    for (const o of offsets) {
      // Storage treats -1 as a deletion; memory agrees, so a restart changes nothing (-1 reads as "no offset" anyway).
      if (o.offset === DELETED) this.remove(group, o.topic, o.partition);
      else this.set(group, o.topic, o.partition, { offset: o.offset, metadata: o.metadata, commitTimestamp: o.commitTimestamp });
    }
  }

  private remove(group: string, topic: string, partition: number): void {
    const topics = this.byGroup.get(group);
    const partitions = topics?.get(topic);
    if (!topics || !partitions) return;
    partitions.delete(partition);
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.byGroup.delete(group);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.byGroup.get(group)?.get(topic)?.get(partition);
  }

  hasGroup(group: string): boolean {
    return this.byGroup.has(group);
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Every committed offset of a group, topics and partitions in ascending order. */
  forGroup(group: string): Array<{ topic: string; partitions: Array<{ partition: number } & CommittedOffset> }> {
    const topics = this.byGroup.get(group);
    if (!topics) return [];
    return [...topics.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions.entries()].sort(([a], [b]) => a - b).map(([partition, c]) => ({ partition, ...c })),
      }));
  }

  deleteGroup(group: string, now: number): void {
    const removed = this.recordsWhere(
      (g) => g === group,
      () => true,
      now,
    );
    if (removed.length > 0) this.storage.saveCommittedOffsets(removed);
    this.byGroup.delete(group);
  }

  /** A deleted topic's offsets go with it, so a topic re-created under the same name starts clean. */
  deleteTopic(topic: string, now: number): void {
    const removed = this.recordsWhere(
      () => true,
      (t) => t === topic,
      now,
    );
    if (removed.length === 0) return;
    this.storage.saveCommittedOffsets(removed);
    for (const [group, topics] of [...this.byGroup]) {
      topics.delete(topic);
      if (topics.size === 0) this.byGroup.delete(group);
    }
  }

  private recordsWhere(groupMatches: (g: string) => boolean, topicMatches: (t: string) => boolean, now: number): CommittedOffsetRecord[] {
    const records: CommittedOffsetRecord[] = [];
    for (const [group, topics] of this.byGroup) {
      if (!groupMatches(group)) continue;
      for (const [topic, partitions] of topics) {
        if (!topicMatches(topic)) continue;
        for (const partition of partitions.keys()) records.push({ group, topic, partition, offset: DELETED, metadata: null, commitTimestamp: now });
      }
    }
    return records;
  }
}
