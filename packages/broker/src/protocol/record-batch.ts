import { crc32c } from './crc32c';
import { readInt64BE, writeInt64BE } from './int64';
import { Reader } from './reader';

/** Byte positions in a RecordBatch (magic 2) header. */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

export const BATCH_HEADER_SIZE = BatchField.records;
/** batchLength counts the bytes after itself. */
export const BATCH_LENGTH_OVERHEAD = 12;

export const Attribute = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
} as const;

/** What the broker needs to know of a batch without decoding its records. */
export interface BatchHeader {
  baseOffset: number;
  /** Total size of the batch in bytes. */
  size: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export type BatchProblem = { kind: 'truncated'; message: string } | { kind: 'unsupported-magic'; message: string } | { kind: 'corrupt'; message: string };

/** Read for every produced batch, so int64 fields are read without BigInt (see int64.ts). */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: readInt64BE(buf, at + BatchField.baseOffset),
    size: buf.readInt32BE(at + BatchField.batchLength) + BATCH_LENGTH_OVERHEAD,
    magic: buf.readInt8(at + BatchField.magic),
    crc: buf.readUInt32BE(at + BatchField.crc),
    attributes: buf.readInt16BE(at + BatchField.attributes),
    lastOffsetDelta: buf.readInt32BE(at + BatchField.lastOffsetDelta),
    baseTimestamp: readInt64BE(buf, at + BatchField.baseTimestamp),
    maxTimestamp: readInt64BE(buf, at + BatchField.maxTimestamp),
    producerId: readInt64BE(buf, at + BatchField.producerId),
    producerEpoch: buf.readInt16BE(at + BatchField.producerEpoch),
    baseSequence: buf.readInt32BE(at + BatchField.baseSequence),
    recordCount: buf.readInt32BE(at + BatchField.recordCount),
  };
}

/**
 * Splits a produce request's records field into batches and checks each one:
 * length, magic 2 and CRC-32C. Returns the batches (views into `records`) or
 * the first problem found, which fails the whole partition's write.
 */
export function splitBatches(records: Buffer): { batches: Buffer[] } | { problem: BatchProblem } {
  const batches: Buffer[] = [];
  let at = 0;
  while (at < records.length) {
    if (records.length - at < BATCH_HEADER_SIZE) {
      // Fewer bytes than a magic byte needs: could be an old MessageSet or garbage.
      if (records.length - at > BatchField.magic && records.readInt8(at + BatchField.magic) !== 2) {
        return { problem: { kind: 'unsupported-magic', message: `magic ${records.readInt8(at + BatchField.magic)} is not supported; use RecordBatch (magic 2)` } };
      }
      return { problem: { kind: 'truncated', message: `record batch truncated at byte ${at}` } };
    }
    const magic = records.readInt8(at + BatchField.magic);
    if (magic !== 2) {
      return { problem: { kind: 'unsupported-magic', message: `magic ${magic} is not supported; use RecordBatch (magic 2)` } };
    }
    const size = records.readInt32BE(at + BatchField.batchLength) + BATCH_LENGTH_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || at + size > records.length) {
      return { problem: { kind: 'truncated', message: `record batch at byte ${at} claims ${size} bytes, ${records.length - at} present` } };
    }
    const expected = records.readUInt32BE(at + BatchField.crc);
    const actual = crc32c(records, at + BatchField.attributes, at + size);
    if (expected !== actual) {
      return { problem: { kind: 'corrupt', message: `record batch CRC mismatch: header says ${expected.toString(16)}, bytes give ${actual.toString(16)}` } };
    }
    batches.push(records.subarray(at, at + size));
    at += size;
  }
  return { batches };
}

/** Writes a new base offset into a batch; baseOffset lies outside the CRC, so the batch stays valid. */
export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64BE(batch, baseOffset, BatchField.baseOffset);
  batch.writeInt32BE(0, BatchField.partitionLeaderEpoch);
}

/** One record of an uncompressed batch, as needed for compaction. */
export interface DecodedRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Decodes the records of an uncompressed batch. Compressed batches are not
 * decoded by the broker (callers treat their records as opaque).
 */
export function decodeRecords(batch: Buffer): DecodedRecord[] {
  const count = batch.readInt32BE(BatchField.recordCount);
  const r = new Reader(batch, BATCH_HEADER_SIZE);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.offset;
    r.int8(); // record attributes, unused
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const keyLen = r.varint();
    const key = keyLen < 0 ? null : r.raw(keyLen);
    const valueLen = r.varint();
    const value = valueLen < 0 ? null : r.raw(valueLen);
    r.skip(length - (r.offset - start));
    out.push({ offsetDelta, timestampDelta, key, value });
  }
  return out;
}
