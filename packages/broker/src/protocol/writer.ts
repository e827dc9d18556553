import { writeInt64BE } from './int64';

/**
 * Builds a response as a list of chunks: scalars go into a scratch buffer,
 * while large byte payloads (record batches) are appended by reference, so a
 * fetch response never copies the log's bytes.
 */
export class Writer {
  private readonly chunks: Buffer[] = [];
  private scratch: Buffer;
  private pos = 0;
  private total = 0;

  constructor(scratchSize = 1024) {
    this.scratch = Buffer.allocUnsafe(scratchSize);
  }

  get length(): number {
    return this.total;
  }

  private room(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flushScratch();
    this.scratch = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2));
  }

  private flushScratch(): void {
    if (this.pos > 0) {
      this.chunks.push(this.scratch.subarray(0, this.pos));
      this.scratch = this.scratch.subarray(this.pos);
      this.pos = 0;
    }
  }

  int8(v: number): this {
    this.room(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
    this.total += 1;
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.room(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
    this.total += 2;
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
    this.total += 4;
    return this;
  }

  int64(v: number): this {
    this.room(8);
    writeInt64BE(this.scratch, v, this.pos);
    this.pos += 8;
    this.total += 8;
    return this;
  }

  string(v: string): this {
    const len = Buffer.byteLength(v);
    this.int16(len);
    this.room(len);
    this.scratch.write(v, this.pos, 'utf8');
    this.pos += len;
    this.total += len;
    return this;
  }

  nullableString(v: string | null): this {
    return v === null ? this.int16(-1) : this.string(v);
  }

  bytes(v: Buffer): this {
    this.int32(v.length);
    return this.raw(v);
  }

  nullableBytes(v: Buffer | null): this {
    return v === null ? this.int32(-1) : this.bytes(v);
  }

  /** Appends bytes by reference (no copy) when they are large. */
  raw(v: Buffer): this {
    if (v.length <= 256) {
      this.room(v.length);
      v.copy(this.scratch, this.pos);
      this.pos += v.length;
    } else {
      this.flushScratch();
      this.chunks.push(v);
    }
    this.total += v.length;
    return this;
  }

  array<T>(items: readonly T[], writeItem: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, writeItem: (w: this, item: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, writeItem);
  }

  /** Unsigned varint, for the lengths of flexible versions. */
  uvarint(v: number): this {
    let rest = v;
    while (rest >= 0x80) {
      this.int8((((rest & 0x7f) | 0x80) << 24) >> 24);
      rest = Math.floor(rest / 128);
    }
    return this.int8((rest << 24) >> 24);
  }

  compactString(v: string): this {
    const len = Buffer.byteLength(v);
    this.uvarint(len + 1);
    this.room(len);
    this.scratch.write(v, this.pos, 'utf8');
    this.pos += len;
    this.total += len;
    return this;
  }

  compactNullableString(v: string | null): this {
    return v === null ? this.uvarint(0) : this.compactString(v);
  }

  compactBytes(v: Buffer): this {
    this.uvarint(v.length + 1);
    return this.raw(v);
  }

  compactArray<T>(items: readonly T[], writeItem: (w: this, item: T) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) writeItem(this, item);
    return this;
  }

  /** A 16-byte UUID given as 32 hex digits (topic ids). */
  uuid(hex: string): this {
    return this.raw(Buffer.from(hex.padStart(32, '0').slice(0, 32), 'hex'));
  }

  /** An empty tagged-fields section. */
  taggedFields(): this {
    return this.uvarint(0);
  }

  /** The chunks written so far; the writer must not be used afterwards. */
  finish(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.finish(), this.total);
  }
}
