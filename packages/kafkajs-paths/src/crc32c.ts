/**
 * CRC-32C (Castagnoli), the checksum of Kafka's record batches, through @node-rs/crc32 (the CPU's
 * CRC instructions; kafkajs's own goes a byte at a time; figures in BENCHMARKS.md). Its binary comes as an optional platform
 * package: where none loads this is undefined, and the produce request stays kafkajs's (index.ts).
 */
type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

/** The CRC-32C of buf[start, end) (clamped to the buffer), unsigned. */
export type Crc32c = (buf: Buffer, start?: number, end?: number) => number;

function loadNative(): NativeCrc32c | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('@node-rs/crc32') as { crc32c: NativeCrc32c }).crc32c;
  } catch {
    return undefined;
  }
}

const native = loadNative();

export const crc32c: Crc32c | undefined = native && ((buf, start = 0, end = buf.length) => native(start === 0 && end === buf.length ? buf : buf.subarray(start, end)) >>> 0);
