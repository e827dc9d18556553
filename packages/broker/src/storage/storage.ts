/**
 * Where the broker keeps its data. The in-memory storage serves tests and
 * throwaway runs; the file storage (data dir) survives kill -9 and restarts.
 * The broker's state objects call these methods; nothing else touches disk.
 */

/** Index entry of one stored batch. Kept in memory for every batch of every segment. */
export interface BatchEntry {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** Byte position of the batch within its segment. */
  position: number;
  size: number;
}

/** The start of one stored batch, as `Segment.batchHeads` yields it. */
export interface BatchHead {
  entry: BatchEntry;
  head: Buffer;
}

/** One segment of a partition's log: an append-only run of raw batches. */
export interface Segment {
  readonly baseOffset: number;
  /** Batches in offset order; compaction may leave gaps in offsets. */
  readonly entries: BatchEntry[];
  /** Bytes appended so far (the next batch's position). */
  readonly sizeBytes: number;
  /** When the segment was created (broker clock), for segment.ms rolling. */
  readonly createdAtMs: number;
  /** Appends a batch whose base offset is already rewritten; durable once it returns (survives kill -9). */
  append(batch: Buffer, entry: Omit<BatchEntry, 'position' | 'size'>): BatchEntry;
  read(entry: BatchEntry): Buffer;
  /**
   * The first `length` bytes (or the whole batch, if shorter) of every batch,
   * in order, for scans of batch headers at start-up. Reads only those bytes
   * where that saves work; a head is valid until the iteration moves on.
   */
  batchHeads(length: number): Iterable<BatchHead>;
  /** Deletes the segment's data (retention, topic deletion). */
  remove(): void;
  close(): void;
}

export interface PartitionStorage {
  /** Segments found on start-up, oldest first, with any torn tail cut off. */
  loadSegments(): Segment[];
  createSegment(baseOffset: number, nowMs: number): Segment;
  /**
   * Replaces `old` by a segment holding only `keep` (compaction). The new
   * segment keeps old's base offset and is swapped in atomically.
   */
  rewriteSegment(old: Segment, keep: BatchEntry[], batches: Buffer[]): Segment;
  /** Deletes all of this partition's data. */
  remove(): void;
}

export interface TopicRecord {
  name: string;
  partitions: number;
  configs: Record<string, string>;
  createdAtMs: number;
  /** Kafka's topic id (KIP-516), 32 hex digits; absent in data dirs written before topic ids. */
  topicId?: string;
  /** Per partition, the log start offset DeleteRecords moved it to (absent: the first segment's base). */
  logStartOffsets?: number[];
}

export interface CommittedOffsetRecord {
  group: string;
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
  commitTimestamp: number;
}

export interface Storage {
  readonly persistent: boolean;
  loadTopics(): TopicRecord[];
  saveTopic(topic: TopicRecord): void;
  deleteTopic(name: string): void;
  partition(topic: string, partition: number): PartitionStorage;
  loadCommittedOffsets(): CommittedOffsetRecord[];
  /** Durable before it returns; an offset of -1 deletes the entry (DeleteGroups, topic deletion). */
  saveCommittedOffsets(records: CommittedOffsetRecord[]): void;
  close(): void;
}
