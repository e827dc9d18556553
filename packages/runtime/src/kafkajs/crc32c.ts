/**
 * CRC-32C (Castagnoli), the checksum of Kafka's record batches: the same value as kafkajs 2.2.4's
 * crc32C, which goes one byte at a time. Slicing-by-8 reads eight bytes per step from eight tables,
 * a few times faster on the record batches the produce path checksums (produce-request.ts).
 */

/** The reflected Castagnoli polynomial. */
const POLYNOMIAL = 0x82f63b78;

/**
 * Eight 256-entry tables, back to back: TABLES[k * 256 + b] is the CRC of byte b followed by k zero
 * bytes. One array rather than eight keeps the lookups in one object the JIT sees as monomorphic.
 */
const TABLES = (() => {
  const tables = new Int32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    tables[byte] = crc;
  }
  for (let i = 256; i < tables.length; i++) {
    const previous = tables[i - 256]!;
    tables[i] = (previous >>> 8) ^ tables[previous & 0xff]!;
  }
  return tables;
})();

/** The CRC-32C of buf[start, end) (clamped to the buffer), unsigned. */
export function crc32c(buf: Buffer, start = 0, end = buf.length): number {
  const t = TABLES;
  end = Math.min(end, buf.length);
  let i = Math.max(start, 0);
  if (i >= end) return 0;
  let crc = -1;
  // Bytes one at a time up to an 8-byte boundary of the run left, then eight at a time.
  for (const stop = i + ((end - i) & 7); i < stop; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  for (; i < end; i += 8) {
    const low = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[0x700 + (low & 0xff)]! ^
      t[0x600 + ((low >>> 8) & 0xff)]! ^
      t[0x500 + ((low >>> 16) & 0xff)]! ^
      t[0x400 + (low >>> 24)]! ^
      t[0x300 + buf[i + 4]!]! ^
      t[0x200 + buf[i + 5]!]! ^
      t[0x100 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  return (crc ^ -1) >>> 0;
}
