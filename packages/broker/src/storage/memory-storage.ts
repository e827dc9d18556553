import type { BatchEntry, BatchHead, CommittedOffsetRecord, PartitionStorage, Segment, Storage, TopicRecord } from './storage';

class MemorySegment implements Segment {
  readonly entries: BatchEntry[] = [];
  private readonly batches: Buffer[] = [];
  sizeBytes = 0;

  constructor(
    readonly baseOffset: number,
    readonly createdAtMs: number,
  ) {}

  append(batch: Buffer, meta: Omit<BatchEntry, 'position' | 'size'>): BatchEntry {
    // Fields spelled out rather than spread: this runs for every produced batch.
    const entry: BatchEntry = { baseOffset: meta.baseOffset, lastOffset: meta.lastOffset, maxTimestamp: meta.maxTimestamp, position: this.sizeBytes, size: batch.length };
    this.entries.push(entry);
    this.batches.push(batch);
    this.sizeBytes += batch.length;
    return entry;
  }

  read(entry: BatchEntry): Buffer {
    // Entries are appended in position order, so the index is found by binary search.
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.entries[mid]!;
      if (e.position === entry.position) return this.batches[mid]!;
      if (e.position < entry.position) lo = mid + 1;
      else hi = mid - 1;
    }
    throw new Error(`no batch at position ${entry.position} of segment ${this.baseOffset}`);
  }

  *batchHeads(length: number): Iterable<BatchHead> {
    for (let i = 0; i < this.entries.length; i++) {
      const batch = this.batches[i]!;
      yield { entry: this.entries[i]!, head: batch.subarray(0, Math.min(length, batch.length)) };
    }
  }

  remove(): void {
    this.entries.length = 0;
    this.batches.length = 0;
  }

  close(): void {}
}

class MemoryPartitionStorage implements PartitionStorage {
  loadSegments(): Segment[] {
    return [];
  }

  createSegment(baseOffset: number, nowMs: number): Segment {
    return new MemorySegment(baseOffset, nowMs);
  }

  rewriteSegment(old: Segment, keep: BatchEntry[], batches: Buffer[]): Segment {
    const seg = new MemorySegment(old.baseOffset, old.createdAtMs);
    keep.forEach((e, i) => seg.append(batches[i]!, { baseOffset: e.baseOffset, lastOffset: e.lastOffset, maxTimestamp: e.maxTimestamp }));
    return seg;
  }

  remove(): void {}
}

/** Keeps nothing across restarts. */
export class MemoryStorage implements Storage {
  readonly persistent = false;
  loadTopics(): TopicRecord[] {
    return [];
  }
  saveTopic(_topic: TopicRecord): void {}
  deleteTopic(_name: string): void {}
  partition(_topic = '', _partition = 0): PartitionStorage {
    return new MemoryPartitionStorage();
  }
  loadCommittedOffsets(): CommittedOffsetRecord[] {
    return [];
  }
  saveCommittedOffsets(_records: CommittedOffsetRecord[]): void {}
  close(): void {}
}
