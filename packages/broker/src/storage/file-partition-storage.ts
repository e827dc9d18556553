import * as fs from 'fs';
import * as path from 'path';
import { FileSegment, LOG_SUFFIX, segmentFiles } from './file-segment';
import { fsyncDir, TEMP_SUFFIX, writeFully } from './fs-util';
import { encodeIndex } from './offset-index';
import type { RecoveryReport } from './recovery';
import { recoverSegment } from './segment-recovery';
import type { BatchEntry, PartitionStorage, Segment } from './storage';
import { StorageCorruptionError, StorageError } from './storage-errors';

/** Suffix of a compacted copy being written; renamed over the original when complete. */
export const CLEANED_SUFFIX = '.cleaned';
const SEGMENT_LOG_NAME = /^(\d{20})\.log$/;
const SEGMENT_INDEX_NAME = /^(\d{20})\.index$/;

export interface PartitionStorageContext {
  fsync: boolean;
  report: RecoveryReport;
  /** The previous broker died without closing: verify the newest segment batch by batch. */
  uncleanShutdown: boolean;
}

/** One partition's directory: `<base>.log` + `<base>.index` per segment. */
export class FilePartitionStorage implements PartitionStorage {
  /** Segments handed out and not yet removed, so closing the storage releases their descriptors. */
  private readonly live = new Set<FileSegment>();
  private newest: FileSegment | undefined;

  constructor(
    readonly dir: string,
    private readonly context: PartitionStorageContext,
  ) {}

  loadSegments(): Segment[] {
    if (!fs.existsSync(this.dir)) return [];
    const names = fs.readdirSync(this.dir);
    const logs = new Set(names.filter((n) => SEGMENT_LOG_NAME.test(n)));
    for (const name of names) {
      const indexMatch = SEGMENT_INDEX_NAME.exec(name);
      const orphanIndex = indexMatch !== null && !logs.has(`${indexMatch[1]}${LOG_SUFFIX}`);
      // Temp files are writes a crash interrupted before their rename; the originals are intact.
      if (orphanIndex || name.endsWith(TEMP_SUFFIX) || name.endsWith(CLEANED_SUFFIX)) {
        fs.rmSync(path.join(this.dir, name), { force: true });
        this.context.report.add('leftover-removed', path.join(this.dir, name), orphanIndex ? 'index without its log' : 'temp file of an interrupted write');
      }
    }
    const baseOffsets = [...logs].map((n) => Number(SEGMENT_LOG_NAME.exec(n)![1])).sort((a, b) => a - b);
    const segments: FileSegment[] = [];
    baseOffsets.forEach((baseOffset, i) => {
      const files = segmentFiles(this.dir, baseOffset);
      const isNewest = i === baseOffsets.length - 1;
      const state = recoverSegment(files, baseOffset, { verifyAll: isNewest && this.context.uncleanShutdown, fsync: this.context.fsync }, this.context.report);
      const previous = segments[segments.length - 1];
      const previousLast = previous?.entries[previous.entries.length - 1]?.lastOffset;
      if (previousLast !== undefined && previousLast >= baseOffset) {
        // Overlapping segments are not a crash artefact; guessing which copy is right could lose data.
        throw new StorageCorruptionError(`segment ${files.log} starts at offset ${baseOffset} but the previous segment ends at ${previousLast}`, files.log);
      }
      segments.push(FileSegment.open(files, state, this.context.fsync));
    });
    for (const seg of segments) this.live.add(seg);
    this.newest = segments[segments.length - 1];
    return segments;
  }

  createSegment(baseOffset: number, nowMs: number): Segment {
    fs.mkdirSync(this.dir, { recursive: true });
    const previous = this.newest;
    const seg = FileSegment.create(this.dir, baseOffset, nowMs, this.context.fsync);
    previous?.seal();
    // Segments deleted by retention drop out here, so a long-running broker does not accumulate them.
    for (const s of this.live) if (s.isGone) this.live.delete(s);
    this.live.add(seg);
    this.newest = seg;
    return seg;
  }

  /**
   * Writes the kept batches to `<base>.log.cleaned` / `.index.cleaned`, then
   * swaps them in by rename. A crash at any point leaves either the old or the
   * new segment (the old index is deleted before the log is swapped, so a log
   * never pairs with the other one's index; a missing index is rebuilt).
   */
  rewriteSegment(old: Segment, keep: BatchEntry[], batches: Buffer[]): Segment {
    if (!(old instanceof FileSegment) || !this.live.has(old)) throw new StorageError(`segment ${old.baseOffset} does not belong to ${this.dir}`, this.dir);
    if (keep.length !== batches.length) throw new RangeError(`rewriteSegment: ${keep.length} entries but ${batches.length} batches`);
    const entries: BatchEntry[] = [];
    let position = 0;
    keep.forEach((e, i) => {
      const size = batches[i]!.length;
      entries.push({ baseOffset: e.baseOffset, lastOffset: e.lastOffset, maxTimestamp: e.maxTimestamp, position, size });
      position += size;
    });
    const files = old.files;
    const tempLog = files.log + CLEANED_SUFFIX;
    const tempIndex = files.index + CLEANED_SUFFIX;
    const fd = fs.openSync(tempLog, 'w');
    try {
      let at = 0;
      for (const batch of batches) {
        writeFully(fd, batch, at);
        at += batch.length;
      }
      if (this.context.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.writeFileSync(tempIndex, encodeIndex(old.baseOffset, old.createdAtMs, entries));
    old.close();
    this.live.delete(old);
    fs.rmSync(files.index, { force: true });
    fs.renameSync(tempLog, files.log);
    fs.renameSync(tempIndex, files.index);
    if (this.context.fsync) fsyncDir(this.dir);
    const seg = FileSegment.open(files, { baseOffset: old.baseOffset, entries, sizeBytes: position, createdAtMs: old.createdAtMs }, this.context.fsync);
    this.live.add(seg);
    if (this.newest === old) this.newest = seg;
    return seg;
  }

  remove(): void {
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Releases every descriptor; the broker is shutting down or the partition is going away. */
  close(): void {
    for (const seg of this.live) seg.close();
    this.live.clear();
    this.newest = undefined;
  }
}
