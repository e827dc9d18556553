import * as fs from 'fs';
import * as path from 'path';
import { encodeIndexEntry, encodeIndexHeader, INDEX_ENTRY_SIZE, INDEX_HEADER_SIZE } from './offset-index';
import { fsyncDir, isErrno, readAt, writeFully } from './fs-util';
import type { BatchEntry, BatchHead, Segment } from './storage';
import { StorageCorruptionError, StorageError } from './storage-errors';

/**
 * How far apart batch heads may lie for one read to fetch several of them:
 * small batches are read in runs of this size, each batch of a larger size
 * costs one read of just its head.
 */
export const HEAD_READ_SPAN = 64 * 1024;

/** Kafka's naming: the base offset, zero-padded to 20 digits, so names sort in offset order. */
export function segmentFileStem(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';

export interface SegmentFiles {
  log: string;
  index: string;
}

export function segmentFiles(dir: string, baseOffset: number): SegmentFiles {
  const stem = path.join(dir, segmentFileStem(baseOffset));
  return { log: stem + LOG_SUFFIX, index: stem + INDEX_SUFFIX };
}

export interface FileSegmentState {
  baseOffset: number;
  entries: BatchEntry[];
  sizeBytes: number;
  createdAtMs: number;
}

/**
 * A segment on disk: `<base>.log` holds the raw batches back to back,
 * `<base>.index` one entry per batch. An append writes the batch, then its
 * index entry, each with a positional write; once `append` returns the bytes
 * are in the kernel, so they survive kill -9 of the broker (and, with
 * `fsync`, power loss). File descriptors are opened on first use, so old
 * segments nobody reads cost none.
 */
export class FileSegment implements Segment {
  readonly baseOffset: number;
  readonly entries: BatchEntry[];
  readonly createdAtMs: number;
  private size: number;
  private logFd: number | undefined;
  private indexFd: number | undefined;
  private indexBytes: number;
  private gone = false;
  private readonly entryScratch = Buffer.alloc(INDEX_ENTRY_SIZE);

  private constructor(
    readonly files: SegmentFiles,
    state: FileSegmentState,
    private readonly fsync: boolean,
  ) {
    this.baseOffset = state.baseOffset;
    this.entries = state.entries;
    this.size = state.sizeBytes;
    this.createdAtMs = state.createdAtMs;
    this.indexBytes = INDEX_HEADER_SIZE + state.entries.length * INDEX_ENTRY_SIZE;
  }

  /** A segment whose files recovery has checked (the index matches the log exactly). */
  static open(files: SegmentFiles, state: FileSegmentState, fsync: boolean): FileSegment {
    return new FileSegment(files, state, fsync);
  }

  /** Creates the empty files of a new segment. */
  static create(dir: string, baseOffset: number, createdAtMs: number, fsync: boolean): FileSegment {
    const files = segmentFiles(dir, baseOffset);
    try {
      fs.closeSync(fs.openSync(files.log, 'wx'));
    } catch (err) {
      // An empty leftover (a crash right after creating it) is harmless; anything else would be overwritten data.
      if (!isErrno(err, 'EEXIST') || fs.statSync(files.log).size !== 0) {
        throw new StorageCorruptionError(`cannot create segment ${files.log}: a non-empty file is already there`, files.log);
      }
    }
    fs.writeFileSync(files.index, encodeIndexHeader(createdAtMs));
    if (fsync) fsyncDir(dir);
    return new FileSegment(files, { baseOffset, entries: [], sizeBytes: 0, createdAtMs }, fsync);
  }

  /** Closed or removed: no longer readable. */
  get isGone(): boolean {
    return this.gone;
  }

  get sizeBytes(): number {
    return this.size;
  }

  private logDescriptor(): number {
    if (this.gone) throw new StorageError(`segment ${this.files.log} was closed or removed`, this.files.log);
    if (this.logFd === undefined) this.logFd = fs.openSync(this.files.log, 'r+');
    return this.logFd;
  }

  append(batch: Buffer, meta: Omit<BatchEntry, 'position' | 'size'>): BatchEntry {
    const fd = this.logDescriptor();
    const entry: BatchEntry = { ...meta, position: this.size, size: batch.length };
    try {
      writeFully(fd, batch, entry.position);
      if (this.fsync) fs.fdatasyncSync(fd);
    } catch (err) {
      this.undoAppend(fd);
      throw new StorageError(`append to ${this.files.log} failed: ${(err as Error).message}`, this.files.log, { cause: err });
    }
    // The index entry follows the batch: a crash in between leaves a batch the index lacks, which recovery re-indexes.
    try {
      if (this.indexFd === undefined) this.indexFd = fs.openSync(this.files.index, 'r+');
      writeFully(this.indexFd, encodeIndexEntry(this.baseOffset, entry, this.entryScratch), this.indexBytes);
    } catch (err) {
      this.undoAppend(fd);
      throw new StorageError(`index write to ${this.files.index} failed: ${(err as Error).message}`, this.files.index, { cause: err });
    }
    this.indexBytes += INDEX_ENTRY_SIZE;
    this.entries.push(entry);
    this.size += batch.length;
    return entry;
  }

  /** Drops the bytes of a failed append, so neither the next append nor recovery picks up a batch the producer was told failed. */
  private undoAppend(fd: number): void {
    try {
      fs.ftruncateSync(fd, this.size);
    } catch {
      // The original error is the one to report.
    }
  }

  read(entry: BatchEntry): Buffer {
    const data = readAt(this.logDescriptor(), entry.position, entry.size);
    if (data.length !== entry.size) {
      throw new StorageError(`${this.files.log} ends at ${entry.position + data.length}, batch at ${entry.position} needs ${entry.size} bytes`, this.files.log);
    }
    return data;
  }

  *batchHeads(length: number): Iterable<BatchHead> {
    const entries = this.entries;
    if (entries.length === 0) return;
    if (this.gone) throw new StorageError(`segment ${this.files.log} was closed or removed`, this.files.log);
    // A descriptor of its own, closed when the scan ends: a start-up scan must not leave every old segment open.
    const fd = fs.openSync(this.files.log, 'r');
    try {
      let chunk: Buffer = Buffer.alloc(0);
      let chunkStart = 0;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        const headLength = Math.min(length, entry.size);
        if (entry.position < chunkStart || entry.position + headLength > chunkStart + chunk.length) {
          // One read from this head up to the last following head that still fits in the span.
          let end = entry.position + headLength;
          for (let j = i + 1; j < entries.length; j++) {
            const next = entries[j]!;
            const nextEnd = next.position + Math.min(length, next.size);
            if (nextEnd - entry.position > HEAD_READ_SPAN) break;
            end = nextEnd;
          }
          chunk = readAt(fd, entry.position, end - entry.position);
          chunkStart = entry.position;
          if (chunk.length !== end - entry.position) {
            throw new StorageError(`${this.files.log} ends at ${entry.position + chunk.length}, batch heads up to ${end} were expected`, this.files.log);
          }
        }
        const at = entry.position - chunkStart;
        yield { entry, head: chunk.subarray(at, at + headLength) };
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** No more appends will come (a newer segment took over): release the index descriptor and, when asked, sync. */
  seal(): void {
    if (this.fsync && !this.gone) {
      if (this.logFd !== undefined) fs.fsyncSync(this.logFd);
      if (this.indexFd !== undefined) fs.fsyncSync(this.indexFd);
    }
    if (this.indexFd !== undefined) fs.closeSync(this.indexFd);
    this.indexFd = undefined;
  }

  close(): void {
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    if (this.indexFd !== undefined) fs.closeSync(this.indexFd);
    this.logFd = undefined;
    this.indexFd = undefined;
    this.gone = true;
  }

  remove(): void {
    this.close();
    // The log goes first: an index left behind without its log is deleted on start-up,
    // whereas a log left without its index would be re-indexed and come back.
    for (const file of [this.files.log, this.files.index]) {
      try {
        fs.unlinkSync(file);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw new StorageError(`cannot delete ${file}: ${(err as Error).message}`, file, { cause: err });
      }
    }
    this.entries.length = 0;
  }
}
