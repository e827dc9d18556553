/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches.
 * Slicing-by-8 tables: about eight times faster than a byte-wise loop, which
 * matters because every produced batch is checked.
 */
const POLY = 0x82f63b78;
const TABLES: Uint32Array[] = [];

(function buildTables() {
  for (let t = 0; t < 8; t++) TABLES.push(new Uint32Array(256));
  const t0 = TABLES[0]!;
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = t0[i]!;
    for (let t = 1; t < 8; t++) {
      c = (c >>> 8) ^ t0[c & 0xff]!;
      TABLES[t]![i] = c >>> 0;
    }
  }
})();

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = 0xffffffff;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = (crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24))) >>> 0;
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[buf[i + 4]!]! ^
      t2[buf[i + 5]!]! ^
      t1[buf[i + 6]!]! ^
      t0[buf[i + 7]!]!;
  }
  for (; i < end; i++) crc = (crc >>> 8) ^ t0[(crc ^ buf[i]!) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}
