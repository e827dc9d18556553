import * as fs from 'fs';
import { crc32c } from '../protocol/crc32c';
import { writeFileAtomic, writeFully } from './fs-util';
import type { RecoveryReport } from './recovery';
import type { CommittedOffsetRecord } from './storage';
import { StorageError } from './storage-errors';

/**
 * Committed offsets as an append-only journal: an 8-byte file header
 * ("AMOJ" + version), then one record per save call:
 *   payloadLength u32 | crc32c(payload) u32 | payload (UTF-8 JSON array of CommittedOffsetRecord)
 * One save is one record, so a commit of several partitions is all or
 * nothing across a crash. Replaying folds the records into the latest offset
 * per (group, topic, partition); an offset of -1 deletes. When the journal
 * has grown well past what it describes, it is rewritten as one snapshot
 * record (temp file + rename).
 */
const MAGIC = 0x414d4f4a; // "AMOJ"
const VERSION = 1;
const FILE_HEADER_SIZE = 8;
const RECORD_HEADER_SIZE = 8;
/** Below this the journal is never rewritten: replaying a few MiB is instant. */
const MIN_BYTES_BEFORE_SNAPSHOT = 8 * 1024 * 1024;
/** Rewrite once the journal is this many times the size of a fresh snapshot. */
const GROWTH_FACTOR_BEFORE_SNAPSHOT = 4;

function fileHeader(): Buffer {
  const b = Buffer.alloc(FILE_HEADER_SIZE);
  b.writeUInt32BE(MAGIC, 0);
  b.writeUInt32BE(VERSION, 4);
  return b;
}

function encodeRecord(records: readonly CommittedOffsetRecord[]): Buffer {
  const payload = Buffer.from(JSON.stringify(records), 'utf8');
  const b = Buffer.alloc(RECORD_HEADER_SIZE + payload.length);
  b.writeUInt32BE(payload.length, 0);
  b.writeUInt32BE(crc32c(payload), 4);
  payload.copy(b, RECORD_HEADER_SIZE);
  return b;
}

function isCommittedOffsetRecord(v: unknown): v is CommittedOffsetRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.group === 'string' &&
    typeof r.topic === 'string' &&
    Number.isInteger(r.partition) &&
    Number.isInteger(r.offset) &&
    (r.metadata === null || typeof r.metadata === 'string') &&
    typeof r.commitTimestamp === 'number'
  );
}

const keyOf = (r: CommittedOffsetRecord): string => JSON.stringify([r.group, r.topic, r.partition]);

export class OffsetsJournal {
  private readonly latest = new Map<string, CommittedOffsetRecord>();
  private fd: number | undefined;
  private size = 0;
  private snapshotSize = 0;

  constructor(
    private readonly file: string,
    private readonly fsync: boolean,
    report: RecoveryReport,
  ) {
    this.replay(report);
    this.fd = fs.openSync(this.file, 'r+');
  }

  private replay(report: RecoveryReport): void {
    if (!fs.existsSync(this.file)) {
      writeFileAtomic(this.file, fileHeader(), this.fsync);
      this.size = FILE_HEADER_SIZE;
      return;
    }
    const data = fs.readFileSync(this.file);
    if (data.length < FILE_HEADER_SIZE || data.readUInt32BE(0) !== MAGIC || data.readUInt32BE(4) !== VERSION) {
      // Only a crash before the first header write can get here (the header is written atomically); nothing was committed yet.
      report.add('journal-truncated', this.file, `unreadable header (${data.length} bytes); starting empty`);
      writeFileAtomic(this.file, fileHeader(), this.fsync);
      this.size = FILE_HEADER_SIZE;
      return;
    }
    let at = FILE_HEADER_SIZE;
    let records = 0;
    let stop: string | null = null;
    while (at < data.length) {
      if (data.length - at < RECORD_HEADER_SIZE) {
        stop = 'partial record header';
        break;
      }
      const length = data.readUInt32BE(at);
      const end = at + RECORD_HEADER_SIZE + length;
      if (end > data.length) {
        stop = `record of ${length} bytes runs past the end`;
        break;
      }
      const payload = data.subarray(at + RECORD_HEADER_SIZE, end);
      if (data.readUInt32BE(at + 4) !== crc32c(payload)) {
        stop = 'CRC-32C mismatch';
        break;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        stop = 'record is not JSON';
        break;
      }
      if (!Array.isArray(parsed) || !parsed.every(isCommittedOffsetRecord)) {
        stop = 'record does not hold committed offsets';
        break;
      }
      this.fold(parsed);
      records++;
      at = end;
    }
    this.size = at;
    if (stop) {
      report.add('journal-truncated', this.file, `cut ${data.length - at} bytes at position ${at} (${stop})`);
      fs.truncateSync(this.file, at);
    }
    // Many records describing few offsets: start from a compact snapshot.
    if (records > 1 && this.size > MIN_BYTES_BEFORE_SNAPSHOT / 8 && this.size > GROWTH_FACTOR_BEFORE_SNAPSHOT * this.estimateSnapshotSize()) this.rewrite();
    else this.snapshotSize = this.size;
  }

  private fold(records: readonly CommittedOffsetRecord[]): void {
    for (const r of records) {
      if (r.offset < 0) this.latest.delete(keyOf(r));
      else this.latest.set(keyOf(r), r);
    }
  }

  private estimateSnapshotSize(): number {
    return FILE_HEADER_SIZE + RECORD_HEADER_SIZE + Buffer.byteLength(JSON.stringify([...this.latest.values()]));
  }

  private rewrite(): void {
    const snapshot = this.latest.size > 0 ? Buffer.concat([fileHeader(), encodeRecord([...this.latest.values()])]) : fileHeader();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    writeFileAtomic(this.file, snapshot, this.fsync);
    this.fd = fs.openSync(this.file, 'r+');
    this.size = snapshot.length;
    this.snapshotSize = snapshot.length;
  }

  /** The offsets the journal holds now. */
  current(): CommittedOffsetRecord[] {
    return [...this.latest.values()];
  }

  append(records: readonly CommittedOffsetRecord[]): void {
    if (records.length === 0) return;
    if (this.fd === undefined) throw new StorageError(`offsets journal ${this.file} is closed`, this.file);
    const record = encodeRecord(records);
    try {
      writeFully(this.fd, record, this.size);
      if (this.fsync) fs.fdatasyncSync(this.fd);
    } catch (err) {
      // Not counted: the next commit overwrites whatever part of it reached the file.
      throw new StorageError(`offsets journal write to ${this.file} failed: ${(err as Error).message}`, this.file, { cause: err });
    }
    this.size += record.length;
    this.fold(records);
    if (this.size > MIN_BYTES_BEFORE_SNAPSHOT && this.size > GROWTH_FACTOR_BEFORE_SNAPSHOT * this.snapshotSize) this.rewrite();
  }

  /** Bytes in the journal file (for tests and diagnostics). */
  get sizeBytes(): number {
    return this.size;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
