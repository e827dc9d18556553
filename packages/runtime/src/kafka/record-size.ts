/** A record as kafkajs takes it, as far as its size goes. */
export interface SizedRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>;
}

/** Per-record framing (lengths, offsets, attributes), counted generously. */
const RECORD_OVERHEAD_BYTES = 64;

const bytesOf = (data: Buffer | string): number => (typeof data === 'string' ? Buffer.byteLength(data) : data.length);

/** The bytes a record takes in a record batch, give or take its varints: what produce requests are sized by. */
export function recordBytes(record: SizedRecord): number {
  let n = RECORD_OVERHEAD_BYTES;
  if (record.key != null) n += bytesOf(record.key);
  if (record.value !== null) n += bytesOf(record.value);
  const headers = record.headers ?? {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string' || Buffer.isBuffer(value)) n += name.length + bytesOf(value) + 2;
    else for (const item of value) n += name.length + bytesOf(item) + 2;
  }
  return n;
}

/** A record larger than any produce request may carry: retrying it can never help. */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  constructor(
    readonly topic: string | undefined,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a ${bytes}-byte record${topic === undefined ? '' : ` for ${topic}`} is larger than the ${limit} bytes a record may take`);
  }
}

/** A run of records that goes out in one produce request, with its size. */
export interface Chunk<T> {
  records: T[];
  bytes: number;
}

/**
 * Splits records, in order, into runs of at most `maxBytes` (a record larger than that travels
 * alone): one produce per run keeps every request, and every partition's record batch in it,
 * under the broker's message.max.bytes however large a send grows. A record over
 * `maxRecordBytes` is refused with RecordTooLargeError.
 */
export function chunkBySize<T extends SizedRecord & { topic?: string }>(records: readonly T[], maxBytes: number, maxRecordBytes = Infinity): Array<Chunk<T>> {
  const chunks: Array<Chunk<T>> = [];
  let current: T[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = recordBytes(record);
    if (bytes > maxRecordBytes) throw new RecordTooLargeError(record.topic, bytes, maxRecordBytes);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push({ records: current, bytes: size });
      current = [];
      size = 0;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) chunks.push({ records: current, bytes: size });
  return chunks;
}
