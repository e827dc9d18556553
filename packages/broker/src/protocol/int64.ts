/**
 * int64 fields as JS numbers without BigInt: offsets, timestamps and producer
 * ids stay far below 2^53, and going through BigInt costs an allocation per
 * field on the produce and fetch paths. Bytes are accessed directly (the
 * Buffer methods re-validate every call); out-of-range positions take the
 * Buffer path, so they fail with the same RangeError as before.
 */
const TWO_32 = 4294967296;

/**
 * Reads a big-endian int64. hi * 2^32 and lo are both exact doubles, so their
 * sum is rounded once: the result equals Number(buf.readBigInt64BE(at)) for
 * every value, including those beyond 2^53.
 */
export function readInt64BE(buf: Buffer, at: number): number {
  if (!(at >>> 0 === at && at + 8 <= buf.length)) return Number(buf.readBigInt64BE(at));
  const hi = (buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!;
  const lo = ((buf[at + 4]! << 24) | (buf[at + 5]! << 16) | (buf[at + 6]! << 8) | buf[at + 7]!) >>> 0;
  return hi * TWO_32 + lo;
}

/**
 * Writes a big-endian int64. Safe integers are split into two 32-bit halves;
 * anything else (fractions, huge values) takes the BigInt path, which rejects
 * or encodes them exactly as before.
 */
export function writeInt64BE(buf: Buffer, value: number, at: number): void {
  if (!Number.isSafeInteger(value) || !(at >>> 0 === at && at + 8 <= buf.length)) {
    buf.writeBigInt64BE(BigInt(value), at);
    return;
  }
  const hi = Math.floor(value / TWO_32);
  const lo = value - hi * TWO_32;
  buf[at] = hi >>> 24;
  buf[at + 1] = hi >>> 16;
  buf[at + 2] = hi >>> 8;
  buf[at + 3] = hi;
  buf[at + 4] = lo >>> 24;
  buf[at + 5] = lo >>> 16;
  buf[at + 6] = lo >>> 8;
  buf[at + 7] = lo;
}
