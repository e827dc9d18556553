/**
 * Kafka's ints and strings checked and written as kafkajs's Encoder writes them, for the encoders written in one pass.
 * The broker has a writer of its own (packages/broker/src/protocol/writer.ts), on purpose: it builds responses from
 * chunks so fetched record batches are never copied, and the broker depends on no package of ours.
 */

/** An integer Node writes as a signed int of `bits` bits without coercing or throwing. */
export function isInt(value: unknown, bits: 16 | 32): value is number {
  const limit = bits === 16 ? 0x8000 : 0x80000000;
  return typeof value === 'number' && Number.isInteger(value) && value >= -limit && value < limit;
}

/** The UTF-8 length of a string kafkajs's writeString can write (int16 length), else undefined. */
export function stringBytes(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const length = Buffer.byteLength(value);
  return length <= 0x7fff ? length : undefined;
}

/** Writes `text` (of UTF-8 length `length`, from stringBytes) as kafkajs's writeString does; returns where it ends. */
export function writeString(buf: Buffer, at: number, text: string | null, length: number): number {
  if (text === null) return buf.writeInt16BE(-1, at);
  at = buf.writeInt16BE(length, at);
  return at + buf.write(text, at, length, 'utf8');
}
