import { crc32c } from '../protocol/crc32c';
import { ErrorCode } from '../protocol/errors';
import { readInt64BE, writeInt64BE } from '../protocol/int64';
import { Attribute, BATCH_HEADER_SIZE, BatchField, decodeRecords, readBatchHeader, setBaseOffset, type BatchHeader } from '../protocol/record-batch';
import { decideSequence, lastSequenceOf, rebuildProducerStates, rememberBatch, type ProducerPartitionState, type StoredProducerBatch } from '../state/producer-sequence';
import type { LogSettings } from '../state/topic-config';
import type { BatchEntry, PartitionStorage, Segment } from '../storage/storage';
import { buildTransactionMarker, CONTROL_KEY_SPAN, ControlType, controlTypeOf } from '../transactions/control-batch';
import { PartitionTransactions, type AbortedTransaction } from '../transactions/partition-txns';

export interface AppendResult {
  errorCode: ErrorCode;
  baseOffset: number;
  logAppendTime: number;
  errorMessage?: string;
}

export interface ReadResult {
  batches: Buffer[];
  bytes: number;
  /** The offset after the last batch read (the start offset when none was). */
  endOffset: number;
}

/** Where a batch sits: its segment and its index entry. */
interface Located {
  segmentIndex: number;
  entryIndex: number;
}

/**
 * One partition's log: segments of raw record batches, the high watermark,
 * the idempotent producers' windows (rebuilt from the stored batch headers
 * when a partition is opened on existing data), and the fetchers waiting for
 * data.
 * Single replica, so the high watermark is the log end offset.
 */
export class Partition {
  private segments: Segment[];
  private nextOffset: number;
  private startOffset: number;
  private readonly producers: Map<number, ProducerPartitionState>;
  private readonly txns = new PartitionTransactions();
  private readonly appendWaiters = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly index: number,
    private readonly storage: PartitionStorage,
    private settings: LogSettings,
    private readonly clock: () => number,
  ) {
    this.segments = storage.loadSegments();
    const last = this.segments[this.segments.length - 1];
    const lastEntry = last?.entries[last.entries.length - 1];
    this.nextOffset = lastEntry ? lastEntry.lastOffset + 1 : (last?.baseOffset ?? 0);
    // Compaction may empty the head of the first segment; like Kafka, it does not move the log start.
    this.startOffset = this.segments[0]?.baseOffset ?? 0;
    // A retry of a batch appended before a crash must still be seen as a duplicate.
    // The same pass replays transactions: open ones hold the last stable offset back, aborted ones are indexed.
    const markerEpochs = new Map<number, number>();
    this.producers = rebuildProducerStates(storedProducerBatches(this.segments, this.txns, markerEpochs));
    // A marker under a bumped epoch (a fenced producer's abort) fences that producer's older epoch here too.
    for (const [producerId, epoch] of markerEpochs) fenceOlderEpochs(this.producers, producerId, epoch);
  }

  get highWatermark(): number {
    return this.nextOffset;
  }

  /** Where read_committed readers stop: the first offset of the oldest open transaction, else the high watermark. */
  get lastStableOffset(): number {
    return this.txns.lastStableOffset(this.nextOffset);
  }

  /** Aborted transactions that a read of [fromOffset, toOffset) overlaps (Fetch's aborted_transactions). */
  abortedTransactions(fromOffset: number, toOffset: number): AbortedTransaction[] {
    return this.txns.abortedBetween(fromOffset, toOffset);
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get sizeBytes(): number {
    return this.segments.reduce((n, s) => n + s.sizeBytes, 0);
  }

  /** What the partition remembers of each idempotent producer, by producer id. */
  get producerStates(): ReadonlyMap<number, Readonly<ProducerPartitionState>> {
    return this.producers;
  }

  updateSettings(settings: LogSettings): void {
    this.settings = settings;
  }

  /** Appends the validated batches of one produce request, all or nothing. */
  append(batches: Buffer[]): AppendResult {
    // Runs for every produce: plain loops, no per-batch closures.
    const now = this.clock();
    const headers = new Array<BatchHeader>(batches.length);
    for (let i = 0; i < batches.length; i++) {
      const h = readBatchHeader(batches[i]!);
      if (h.size > this.settings.maxMessageBytes) {
        return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1, logAppendTime: -1, errorMessage: `batch of ${h.size} bytes exceeds max.message.bytes ${this.settings.maxMessageBytes}` };
      }
      if (h.attributes & Attribute.control) {
        return { errorCode: ErrorCode.INVALID_RECORD, baseOffset: -1, logAppendTime: -1, errorMessage: 'control batches are written by the transaction coordinator, not produced' };
      }
      headers[i] = h;
    }
    // Idempotence: a request carries batches of one producer; decide on the first, the rest follow in sequence.
    const first = headers[0]!;
    if (first.producerId >= 0 && first.baseSequence >= 0) {
      const lastSeq = lastSequenceOf(first.baseSequence, first.recordCount);
      const decision = decideSequence(this.producers.get(first.producerId), first.producerEpoch, first.baseSequence, lastSeq);
      if (decision.kind === 'duplicate') return { errorCode: ErrorCode.NONE, baseOffset: decision.baseOffset, logAppendTime: -1 };
      if (decision.kind === 'reject') return { errorCode: decision.errorCode, baseOffset: -1, logAppendTime: -1 };
    }
    const baseOffset = this.nextOffset;
    const logAppendTime = this.settings.logAppendTime;
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      const h = headers[i]!;
      const offset = this.nextOffset;
      setBaseOffset(batch, offset);
      if (logAppendTime) {
        // LogAppendTime lives inside the CRC'd part; Kafka rewrites it and the CRC, we do too.
        batch.writeInt16BE(h.attributes | Attribute.logAppendTime, BatchField.attributes);
        writeInt64BE(batch, now, BatchField.maxTimestamp);
        this.rewriteCrc(batch);
      }
      const segment = this.activeSegment(batch.length, now);
      segment.append(batch, { baseOffset: offset, lastOffset: offset + h.lastOffsetDelta, maxTimestamp: logAppendTime ? now : h.maxTimestamp });
      this.nextOffset = offset + h.lastOffsetDelta + 1;
      if (h.attributes & Attribute.transactional) this.txns.dataAppended(h.producerId, offset);
      if (h.producerId >= 0 && h.baseSequence >= 0) {
        this.producers.set(
          h.producerId,
          rememberBatch(this.producers.get(h.producerId), h.producerEpoch, { firstSeq: h.baseSequence, lastSeq: lastSequenceOf(h.baseSequence, h.recordCount), baseOffset: offset }),
        );
      }
    }
    this.notifyAppend();
    return { errorCode: ErrorCode.NONE, baseOffset, logAppendTime: logAppendTime ? now : -1 };
  }

  /**
   * Ends the producer's open transaction here with a commit or abort marker
   * (the coordinator calls this); a marker's epoch, when bumped, fences the
   * producer's older epoch. Returns false when no transaction of the
   * producer is open here (never written to, or already ended before a crash).
   */
  writeMarker(producerId: number, producerEpoch: number, commit: boolean): boolean {
    if (!this.txns.hasOpen(producerId)) {
      fenceOlderEpochs(this.producers, producerId, producerEpoch);
      return false;
    }
    const now = this.clock();
    const offset = this.nextOffset;
    const marker = buildTransactionMarker(producerId, producerEpoch, commit, now);
    setBaseOffset(marker, offset);
    this.activeSegment(marker.length, now).append(marker, { baseOffset: offset, lastOffset: offset, maxTimestamp: now });
    this.nextOffset = offset + 1;
    this.txns.markerAppended(producerId, commit, offset);
    fenceOlderEpochs(this.producers, producerId, producerEpoch);
    this.notifyAppend();
    return true;
  }

  private rewriteCrc(batch: Buffer): void {
    batch.writeUInt32BE(crc32c(batch, BatchField.attributes), BatchField.crc);
  }

  private activeSegment(incomingBytes: number, now: number): Segment {
    const last = this.segments[this.segments.length - 1];
    const full = last && last.entries.length > 0 && (last.sizeBytes + incomingBytes > this.settings.segmentBytes || now - last.createdAtMs >= this.settings.segmentMs);
    if (last && !full) return last;
    const seg = this.storage.createSegment(this.nextOffset, now);
    this.segments.push(seg);
    return seg;
  }

  /**
   * Reads whole batches from `offset` up to `maxBytes`. The first batch is
   * returned even when larger than maxBytes (when `atLeastOne`), so a consumer
   * always makes progress.
   */
  read(offset: number, maxBytes: number, atLeastOne: boolean, endOffset = this.nextOffset): ReadResult {
    const out: ReadResult = { batches: [], bytes: 0, endOffset: offset };
    let at = this.locate(offset);
    while (at) {
      const seg = this.segments[at.segmentIndex]!;
      const entry = seg.entries[at.entryIndex]!;
      // read_committed stops at the last stable offset, which is always a batch boundary.
      if (entry.baseOffset >= endOffset) break;
      if (out.bytes + entry.size > maxBytes && !(atLeastOne && out.batches.length === 0)) break;
      out.batches.push(seg.read(entry));
      out.bytes += entry.size;
      out.endOffset = entry.lastOffset + 1;
      at = this.following(at);
    }
    return out;
  }

  /** The first batch holding `offset` or, past a compaction gap, the next one after it. */
  private locate(offset: number): Located | null {
    if (offset >= this.nextOffset) return null;
    let lo = 0;
    let hi = this.segments.length - 1;
    let segIdx = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        segIdx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let s = segIdx; s < this.segments.length; s++) {
      const entries = this.segments[s]!.entries;
      let l = 0;
      let h = entries.length - 1;
      let found = -1;
      while (l <= h) {
        const mid = (l + h) >>> 1;
        if (entries[mid]!.lastOffset >= offset) {
          found = mid;
          h = mid - 1;
        } else l = mid + 1;
      }
      if (found >= 0) return { segmentIndex: s, entryIndex: found };
    }
    return null;
  }

  private following(at: Located): Located | null {
    let { segmentIndex, entryIndex } = at;
    entryIndex++;
    while (segmentIndex < this.segments.length) {
      if (entryIndex < this.segments[segmentIndex]!.entries.length) return { segmentIndex, entryIndex };
      segmentIndex++;
      entryIndex = 0;
    }
    return null;
  }

  /** The earliest offset whose record timestamp is at or after `timestamp`, or -1 (ListOffsets by time). */
  offsetForTimestamp(timestamp: number): number {
    for (const seg of this.segments) {
      for (const entry of seg.entries) {
        if (entry.maxTimestamp < timestamp) continue;
        const batch = seg.read(entry);
        const h = readBatchHeader(batch);
        if ((h.attributes & Attribute.compressionMask) !== 0 || h.attributes & Attribute.logAppendTime) return Math.max(entry.baseOffset, this.startOffset);
        for (const rec of decodeRecords(batch)) {
          if (h.baseTimestamp + rec.timestampDelta >= timestamp) return Math.max(entry.baseOffset + rec.offsetDelta, this.startOffset);
        }
      }
    }
    return -1;
  }

  /** The record with the largest timestamp (ListOffsets v7 MAX_TIMESTAMP): its offset and time, or null when empty. */
  maxTimestampOffset(): { offset: number; timestamp: number } | null {
    let best: { seg: Segment; entry: BatchEntry } | null = null;
    for (const seg of this.segments) for (const entry of seg.entries) if (entry.lastOffset >= this.startOffset && (!best || entry.maxTimestamp > best.entry.maxTimestamp)) best = { seg, entry };
    if (!best) return null;
    const { seg, entry } = best;
    const batch = seg.read(entry);
    const h = readBatchHeader(batch);
    if ((h.attributes & Attribute.compressionMask) === 0 && !(h.attributes & Attribute.logAppendTime)) {
      for (const rec of decodeRecords(batch)) if (h.baseTimestamp + rec.timestampDelta === entry.maxTimestamp) return { offset: entry.baseOffset + rec.offsetDelta, timestamp: entry.maxTimestamp };
    }
    return { offset: entry.lastOffset, timestamp: entry.maxTimestamp };
  }

  /** Calls `listener` once, on the next append. Returns a function that cancels it. */
  onNextAppend(listener: () => void): () => void {
    this.appendWaiters.add(listener);
    return () => this.appendWaiters.delete(listener);
  }

  private notifyAppend(): void {
    if (this.appendWaiters.size === 0) return;
    const waiters = [...this.appendWaiters];
    this.appendWaiters.clear();
    for (const w of waiters) w();
  }

  /** Segments, oldest first: for retention and compaction, which own the policy. */
  get segmentList(): readonly Segment[] {
    return this.segments;
  }

  /** Drops the oldest segments (retention); never the active one. */
  dropOldestSegments(count: number): void {
    const n = Math.min(count, this.segments.length - 1);
    if (n <= 0) return;
    const dropped = this.segments.splice(0, n);
    for (const seg of dropped) seg.remove();
    const first = this.segments[0]!;
    this.startOffset = Math.max(this.startOffset, first.baseOffset);
    this.txns.forgetBelow(this.startOffset);
  }

  /** On start-up: the log start DeleteRecords had moved to (never below the first segment's base). */
  restoreLogStart(offset: number): void {
    this.startOffset = Math.min(this.nextOffset, Math.max(this.startOffset, offset));
  }

  /**
   * DeleteRecords: moves the log start up to `offset` (never down) and drops
   * the segments wholly below it, the active one excepted. Returns the new
   * log start, or -1 when `offset` is past the high watermark.
   */
  deleteRecordsBefore(offset: number): number {
    if (offset > this.nextOffset) return -1;
    this.startOffset = Math.max(this.startOffset, offset);
    let whollyBelow = 0;
    while (whollyBelow < this.segments.length - 1 && this.segments[whollyBelow + 1]!.baseOffset <= this.startOffset) whollyBelow++;
    const dropped = this.segments.splice(0, whollyBelow);
    for (const seg of dropped) seg.remove();
    this.txns.forgetBelow(this.startOffset);
    return this.startOffset;
  }

  /** Swaps a segment for its compacted copy. */
  replaceSegment(old: Segment, keep: BatchEntry[], batches: Buffer[]): void {
    const i = this.segments.indexOf(old);
    if (i < 0) return;
    this.segments[i] = this.storage.rewriteSegment(old, keep, batches);
  }

  /** Deletes everything (topic deletion). */
  remove(): void {
    for (const seg of this.segments) seg.close();
    this.storage.remove();
    this.segments = [];
    this.notifyAppend();
  }

  close(): void {
    for (const seg of this.segments) seg.close();
  }
}

/** A producer's state forgets its window when a newer epoch is seen (a marker under a bumped epoch). */
function fenceOlderEpochs(producers: Map<number, ProducerPartitionState>, producerId: number, epoch: number): void {
  const state = producers.get(producerId);
  if (!state || state.epoch < epoch) producers.set(producerId, { epoch, recent: [] });
}

/**
 * The producer fields of every stored batch, oldest first, read from the
 * batch headers (and a marker's key) alone; transactional batches and
 * markers are replayed into `txns` on the way, and each producer's newest
 * marker epoch noted.
 */
function* storedProducerBatches(segments: readonly Segment[], txns: PartitionTransactions, markerEpochs: Map<number, number>): Iterable<StoredProducerBatch> {
  for (const segment of segments) {
    for (const { entry, head } of segment.batchHeads(BATCH_HEADER_SIZE + CONTROL_KEY_SPAN)) {
      // A head this short cannot name a producer (recovery keeps no such batch).
      if (head.length < BATCH_HEADER_SIZE) continue;
      const attributes = head.readInt16BE(BatchField.attributes);
      if (attributes & Attribute.transactional) {
        const producerId = readInt64BE(head, BatchField.producerId);
        if ((attributes & Attribute.control) === 0) txns.dataAppended(producerId, entry.baseOffset);
        else {
          const type = controlTypeOf(head, attributes);
          if (type === ControlType.commit || type === ControlType.abort) txns.markerAppended(producerId, type === ControlType.commit, entry.baseOffset);
          const epoch = head.readInt16BE(BatchField.producerEpoch);
          if (epoch > (markerEpochs.get(producerId) ?? -1)) markerEpochs.set(producerId, epoch);
        }
      }
      yield {
        baseOffset: entry.baseOffset,
        producerId: readInt64BE(head, BatchField.producerId),
        producerEpoch: head.readInt16BE(BatchField.producerEpoch),
        baseSequence: head.readInt32BE(BatchField.baseSequence),
        recordCount: head.readInt32BE(BatchField.recordCount),
      };
    }
  }
}
