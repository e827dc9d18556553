import type { Headers } from '../events/headers';

/** What a record costs on the wire, roughly: what produce requests are sized by. */
export interface SizedRecord {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: Headers;
}

/** Per-record framing (lengths, offsets, attributes), counted generously. */
const RECORD_OVERHEAD_BYTES = 64;

/** The bytes a record takes in a record batch, give or take its varints. */
export function recordBytes(record: SizedRecord): number {
  let n = RECORD_OVERHEAD_BYTES;
  if (record.key !== null) n += typeof record.key === 'string' ? Buffer.byteLength(record.key) : record.key.length;
  if (record.value !== null) n += record.value.length;
  const headers = record.headers;
  for (const name in headers) n += name.length + Buffer.byteLength(headers[name]!) + 2;
  return n;
}

/**
 * Splits records, in order, into runs of at most `maxBytes` (a record larger than that travels
 * alone): one produce per run keeps every request, and every partition's record batch in it,
 * under the broker's message.max.bytes however large a consumed batch grows.
 */
export function chunkBySize<T extends SizedRecord>(records: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = recordBytes(record);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
