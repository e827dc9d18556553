import { gzipSync } from 'zlib';
import { crc32c } from './crc32c';
import { Attribute, BATCH_HEADER_SIZE, BATCH_LENGTH_OVERHEAD, BatchField } from './record-batch';

/**
 * Encodes RecordBatch v2 (magic 2) buffers, the way a producer would. The
 * broker itself builds only its transaction markers with it
 * (transactions/control-batch.ts); the rest is for tests (storage,
 * compaction, handlers) that need real, CRC-valid batches without a client.
 */

export interface RecordHeaderInput {
  key: string;
  value: Buffer | string | null;
}

export interface RecordInput {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RecordHeaderInput[];
  /** Absolute timestamp; defaults to the batch's base timestamp. */
  timestamp?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

export type BuilderCompression = 'none' | 'gzip';

const CODEC_ID: Record<BuilderCompression, number> = { none: 0, gzip: 1 };

export interface BatchInput {
  records: RecordInput[];
  baseOffset?: number;
  /** Defaults to the smallest record timestamp, else 0. */
  baseTimestamp?: number;
  compression?: BuilderCompression;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  logAppendTime?: boolean;
}

/** Grows as bytes are pushed; only what a batch needs. */
class ByteSink {
  private buf = Buffer.alloc(256);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** Zig-zag varint/varlong; arithmetic instead of bit ops so values past 2^31 stay exact. */
  varint(v: number): void {
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u >= 0x80) {
      this.byte((u % 0x80) | 0x80);
      u = Math.floor(u / 0x80);
    }
    this.byte(u);
  }

  nullableBytes(b: Buffer | null): void {
    if (b === null) {
      this.varint(-1);
      return;
    }
    this.varint(b.length);
    this.bytes(b);
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

const asBuffer = (v: Buffer | string | null): Buffer | null => (v === null ? null : typeof v === 'string' ? Buffer.from(v) : v);

function encodeRecord(rec: RecordInput, index: number, baseTimestamp: number): Buffer {
  const body = new ByteSink();
  body.byte(0); // record attributes: unused by the protocol
  body.varint((rec.timestamp ?? baseTimestamp) - baseTimestamp);
  body.varint(rec.offsetDelta ?? index);
  body.nullableBytes(asBuffer(rec.key));
  body.nullableBytes(asBuffer(rec.value));
  const headers = rec.headers ?? [];
  body.varint(headers.length);
  for (const h of headers) {
    body.nullableBytes(Buffer.from(h.key));
    body.nullableBytes(asBuffer(h.value));
  }
  const bodyBytes = body.toBuffer();
  const framed = new ByteSink();
  framed.varint(bodyBytes.length);
  framed.bytes(bodyBytes);
  return framed.toBuffer();
}

/** Builds one CRC-valid RecordBatch v2. */
export function buildRecordBatch(input: BatchInput): Buffer {
  if (input.records.length === 0) throw new RangeError('a record batch needs at least one record');
  const timestamps = input.records.map((r) => r.timestamp).filter((t): t is number => t !== undefined);
  const baseTimestamp = input.baseTimestamp ?? (timestamps.length > 0 ? Math.min(...timestamps) : 0);
  const recordTimestamps = input.records.map((r) => r.timestamp ?? baseTimestamp);
  const maxTimestamp = Math.max(...recordTimestamps);
  const offsetDeltas = input.records.map((r, i) => r.offsetDelta ?? i);
  const lastOffsetDelta = Math.max(...offsetDeltas);

  const encoded = Buffer.concat(input.records.map((r, i) => encodeRecord(r, i, baseTimestamp)));
  const compression = input.compression ?? 'none';
  const payload = compression === 'gzip' ? gzipSync(encoded) : encoded;

  let attributes = CODEC_ID[compression];
  if (input.logAppendTime) attributes |= Attribute.logAppendTime;
  if (input.transactional) attributes |= Attribute.transactional;
  if (input.control) attributes |= Attribute.control;

  const batch = Buffer.alloc(BATCH_HEADER_SIZE + payload.length);
  batch.writeBigInt64BE(BigInt(input.baseOffset ?? 0), BatchField.baseOffset);
  batch.writeInt32BE(batch.length - BATCH_LENGTH_OVERHEAD, BatchField.batchLength);
  batch.writeInt32BE(0, BatchField.partitionLeaderEpoch);
  batch.writeInt8(2, BatchField.magic);
  batch.writeInt16BE(attributes, BatchField.attributes);
  batch.writeInt32BE(lastOffsetDelta, BatchField.lastOffsetDelta);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BatchField.baseTimestamp);
  batch.writeBigInt64BE(BigInt(maxTimestamp), BatchField.maxTimestamp);
  batch.writeBigInt64BE(BigInt(input.producerId ?? -1), BatchField.producerId);
  batch.writeInt16BE(input.producerEpoch ?? -1, BatchField.producerEpoch);
  batch.writeInt32BE(input.baseSequence ?? -1, BatchField.baseSequence);
  batch.writeInt32BE(input.records.length, BatchField.recordCount);
  payload.copy(batch, BatchField.records);
  batch.writeUInt32BE(crc32c(batch, BatchField.attributes), BatchField.crc);
  return batch;
}
