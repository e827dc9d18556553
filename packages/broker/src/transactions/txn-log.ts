import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { crc32c } from '../protocol/crc32c';
import { writeFileAtomic, writeFully } from '../storage/fs-util';
import { StorageError } from '../storage/storage-errors';
import { TXN_STATE_NAMES, type TxnMetadata } from './txn-state';

/** Where transactional ids' metadata is kept (Kafka's __transaction_state). */
export interface TxnLog {
  /** The latest metadata of every transactional id, as the last broker left it. */
  load(): TxnMetadata[];
  /** Durable (survives kill -9) before it returns. */
  save(metadata: TxnMetadata): void;
  close(): void;
}

/** No data dir: the coordinator's memory is all there is. */
export class MemoryTxnLog implements TxnLog {
  load(): TxnMetadata[] {
    return [];
  }
  save(): void {}
  close(): void {}
}

export const TXN_LOG_FILE = 'transactions.log';

/**
 * An append-only file: an 8-byte header ("AMTX" + version), then one record
 * per save: payloadLength u32 | crc32c(payload) u32 | payload (UTF-8 JSON of
 * one TxnMetadata). Replay keeps the newest record per transactional id and
 * cuts a torn tail; when the file has grown well past what it describes it
 * is rewritten as a snapshot (temp file + rename).
 */
const MAGIC = 0x414d5458; // "AMTX"
const VERSION = 1;
const FILE_HEADER_SIZE = 8;
const RECORD_HEADER_SIZE = 8;
const MIN_BYTES_BEFORE_SNAPSHOT = 4 * 1024 * 1024;
const GROWTH_FACTOR_BEFORE_SNAPSHOT = 4;

function isTxnMetadata(v: unknown): v is TxnMetadata {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.transactionalId === 'string' &&
    Number.isInteger(r.producerId) &&
    Number.isInteger(r.producerEpoch) &&
    Number.isInteger(r.timeoutMs) &&
    typeof r.state === 'string' &&
    TXN_STATE_NAMES.has(r.state) &&
    Array.isArray(r.partitions) &&
    Array.isArray(r.groups) &&
    Array.isArray(r.pendingOffsets) &&
    typeof r.startedAtMs === 'number'
  );
}

function fileHeader(): Buffer {
  const b = Buffer.alloc(FILE_HEADER_SIZE);
  b.writeUInt32BE(MAGIC, 0);
  b.writeUInt32BE(VERSION, 4);
  return b;
}

function encodeRecord(m: TxnMetadata): Buffer {
  const payload = Buffer.from(JSON.stringify(m), 'utf8');
  const b = Buffer.alloc(RECORD_HEADER_SIZE + payload.length);
  b.writeUInt32BE(payload.length, 0);
  b.writeUInt32BE(crc32c(payload), 4);
  payload.copy(b, RECORD_HEADER_SIZE);
  return b;
}

export class FileTxnLog implements TxnLog {
  private readonly file: string;
  private readonly latest = new Map<string, TxnMetadata>();
  private fd: number | undefined;
  private size = FILE_HEADER_SIZE;
  private snapshotSize = FILE_HEADER_SIZE;

  constructor(dataDir: string, log: Logger) {
    this.file = path.join(dataDir, TXN_LOG_FILE);
    this.replay(log);
    this.fd = fs.openSync(this.file, 'r+');
  }

  private replay(log: Logger): void {
    const data = fs.existsSync(this.file) ? fs.readFileSync(this.file) : null;
    if (data === null || data.length < FILE_HEADER_SIZE || data.readUInt32BE(0) !== MAGIC || data.readUInt32BE(4) !== VERSION) {
      // Absent, or torn before its header was complete (written atomically, so nothing was saved yet).
      if (data !== null) log.warn({ file: this.file }, `transaction log has an unreadable header (${data.length} bytes); starting empty`);
      writeFileAtomic(this.file, fileHeader(), false);
      return;
    }
    let at = FILE_HEADER_SIZE;
    let stop: string | null = null;
    while (at < data.length) {
      if (data.length - at < RECORD_HEADER_SIZE) {
        stop = 'partial record header';
        break;
      }
      const end = at + RECORD_HEADER_SIZE + data.readUInt32BE(at);
      if (end > data.length) {
        stop = 'record runs past the end';
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
        parsed = null;
      }
      if (!isTxnMetadata(parsed)) {
        stop = 'record is not transaction metadata';
        break;
      }
      this.latest.set(parsed.transactionalId, parsed);
      at = end;
    }
    this.size = at;
    this.snapshotSize = at;
    if (stop) {
      // Only the save that was being written when the broker died: its request was never answered.
      log.warn({ file: this.file }, `transaction log: cut ${data.length - at} bytes at position ${at} (${stop})`);
      fs.truncateSync(this.file, at);
    }
  }

  load(): TxnMetadata[] {
    return [...this.latest.values()];
  }

  save(metadata: TxnMetadata): void {
    if (this.fd === undefined) throw new StorageError(`transaction log ${this.file} is closed`, this.file);
    const record = encodeRecord(metadata);
    try {
      writeFully(this.fd, record, this.size);
    } catch (err) {
      throw new StorageError(`transaction log write to ${this.file} failed: ${(err as Error).message}`, this.file, { cause: err });
    }
    this.size += record.length;
    this.latest.set(metadata.transactionalId, metadata);
    if (this.size > MIN_BYTES_BEFORE_SNAPSHOT && this.size > GROWTH_FACTOR_BEFORE_SNAPSHOT * this.snapshotSize) this.rewrite();
  }

  private rewrite(): void {
    const snapshot = Buffer.concat([fileHeader(), ...[...this.latest.values()].map(encodeRecord)]);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    writeFileAtomic(this.file, snapshot, false);
    this.fd = fs.openSync(this.file, 'r+');
    this.size = snapshot.length;
    this.snapshotSize = Math.max(snapshot.length, FILE_HEADER_SIZE + RECORD_HEADER_SIZE);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
