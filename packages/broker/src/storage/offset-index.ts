import { crc32c } from '../protocol/crc32c';
import type { BatchEntry } from './storage';

/**
 * The `.index` file next to each `.log`: a 16-byte header, then one 32-byte
 * entry per batch (relative offset, position, size, last offset, max
 * timestamp), each with its own CRC-32C so a torn or garbage entry is spotted.
 * It lets start-up load a segment without reading its log; the log stays the
 * source of truth and the index is rebuilt from it whenever they disagree.
 *
 * Header: magic "AMIX" u32 | version u16 | reserved u16 | createdAtMs int64
 * Entry:  relativeBaseOffset u48 | position u48 | lastOffsetDelta i32 |
 *         size i32 | maxTimestamp i48 | reserved u16 | crc32c(bytes 0..28) u32
 */
export const INDEX_MAGIC = 0x414d4958; // "AMIX"
export const INDEX_VERSION = 1;
export const INDEX_HEADER_SIZE = 16;
export const INDEX_ENTRY_SIZE = 32;
const ENTRY_CRC_AT = 28;

export function encodeIndexHeader(createdAtMs: number): Buffer {
  const b = Buffer.alloc(INDEX_HEADER_SIZE);
  b.writeUInt32BE(INDEX_MAGIC, 0);
  b.writeUInt16BE(INDEX_VERSION, 4);
  b.writeBigInt64BE(BigInt(Math.trunc(createdAtMs)), 8);
  return b;
}

/** The segment's creation time, or null when the header is missing or not ours. */
export function decodeIndexHeader(b: Buffer): { createdAtMs: number } | null {
  if (b.length < INDEX_HEADER_SIZE || b.readUInt32BE(0) !== INDEX_MAGIC || b.readUInt16BE(4) !== INDEX_VERSION) return null;
  return { createdAtMs: Number(b.readBigInt64BE(8)) };
}

export function encodeIndexEntry(segmentBaseOffset: number, entry: BatchEntry, into = Buffer.alloc(INDEX_ENTRY_SIZE), at = 0): Buffer {
  into.writeUIntBE(entry.baseOffset - segmentBaseOffset, at, 6);
  into.writeUIntBE(entry.position, at + 6, 6);
  into.writeInt32BE(entry.lastOffset - entry.baseOffset, at + 12);
  into.writeInt32BE(entry.size, at + 16);
  into.writeIntBE(entry.maxTimestamp, at + 20, 6);
  into.writeUInt16BE(0, at + 26);
  into.writeUInt32BE(crc32c(into, at, at + ENTRY_CRC_AT), at + ENTRY_CRC_AT);
  return into;
}

/** The whole index file for `entries`. */
export function encodeIndex(segmentBaseOffset: number, createdAtMs: number, entries: readonly BatchEntry[]): Buffer {
  const b = Buffer.alloc(INDEX_HEADER_SIZE + entries.length * INDEX_ENTRY_SIZE);
  encodeIndexHeader(createdAtMs).copy(b, 0);
  entries.forEach((e, i) => encodeIndexEntry(segmentBaseOffset, e, b, INDEX_HEADER_SIZE + i * INDEX_ENTRY_SIZE));
  return b;
}

export interface DecodedIndex {
  createdAtMs: number;
  /** The entries up to the first one that is torn, fails its CRC or breaks the sequence. */
  entries: BatchEntry[];
  /** True when every byte of the file was a valid entry. */
  complete: boolean;
}

/**
 * Decodes an index file. Entries must follow each other without holes
 * (position = previous position + size) with strictly rising offsets;
 * decoding stops at the first one that does not.
 */
export function decodeIndex(segmentBaseOffset: number, file: Buffer): DecodedIndex | null {
  const header = decodeIndexHeader(file);
  if (!header) return null;
  const entries: BatchEntry[] = [];
  let expectedPosition = 0;
  let previousLastOffset = segmentBaseOffset - 1;
  let at = INDEX_HEADER_SIZE;
  for (; at + INDEX_ENTRY_SIZE <= file.length; at += INDEX_ENTRY_SIZE) {
    if (file.readUInt32BE(at + ENTRY_CRC_AT) !== crc32c(file, at, at + ENTRY_CRC_AT)) break;
    const baseOffset = segmentBaseOffset + file.readUIntBE(at, 6);
    const position = file.readUIntBE(at + 6, 6);
    const lastOffsetDelta = file.readInt32BE(at + 12);
    const size = file.readInt32BE(at + 16);
    if (position !== expectedPosition || baseOffset <= previousLastOffset || lastOffsetDelta < 0 || size <= 0) break;
    const entry: BatchEntry = { baseOffset, lastOffset: baseOffset + lastOffsetDelta, maxTimestamp: file.readIntBE(at + 20, 6), position, size };
    entries.push(entry);
    expectedPosition = position + size;
    previousLastOffset = entry.lastOffset;
  }
  return { createdAtMs: header.createdAtMs, entries, complete: at === file.length };
}
