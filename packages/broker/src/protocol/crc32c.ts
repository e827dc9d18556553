import { crc32c as native } from '@node-rs/crc32';

/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches and of the broker's own index and
 * journal entries. Every produced batch is checked, so this is the broker's hottest loop: it runs
 * on the CPU's CRC instructions through @node-rs/crc32 (never slower than JS, much faster on large
 * batches: BENCHMARKS.md). Its prebuilt binary comes as an optional platform package (linux, macOS,
 * Windows, FreeBSD, Android).
 */
export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0;
}
