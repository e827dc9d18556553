import { ProtocolDecodeError } from './errors';
import { readInt64BE } from './int64';

/**
 * Reads the protocol's primitive types from a buffer, front to back.
 * Every read checks bounds, so a truncated or nonsense request becomes a
 * ProtocolDecodeError instead of a crash or a silent misread.
 */
export class Reader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    this.pos = offset;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtocolDecodeError(`truncated request: ${what} needs ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JS number: offsets, timestamps and producer ids stay far below 2^53. */
  int64(): number {
    this.need(8, 'int64');
    const v = readInt64BE(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned varint (protobuf style), as used by flexible versions and records. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      this.need(1, 'varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new ProtocolDecodeError('varint longer than 5 bytes');
    }
  }

  /** Signed zig-zag varint. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Signed zig-zag varlong (up to 10 bytes), returned as a number. */
  varlong(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      this.need(1, 'varlong');
      const b = BigInt(this.buf[this.pos++]!);
      result |= (b & 0x7fn) << shift;
      if ((b & 0x80n) === 0n) break;
      shift += 7n;
      if (shift > 63n) throw new ProtocolDecodeError('varlong longer than 10 bytes');
    }
    return Number((result >> 1n) ^ -(result & 1n));
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolDecodeError(`null where a string is required at offset ${this.pos}`);
    return s;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolDecodeError(`negative string length ${len}`);
    this.need(len, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new ProtocolDecodeError(`null where bytes are required at offset ${this.pos}`);
    return b;
  }

  /** Returns a view into the request buffer (no copy); callers that keep it must copy. */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolDecodeError(`negative bytes length ${len}`);
    this.need(len, 'bytes');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  /** Raw bytes of a known length (records inside a batch). */
  raw(len: number): Buffer {
    this.need(len, 'raw bytes');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  array<T>(readItem: (r: Reader) => T): T[] {
    const items = this.nullableArray(readItem);
    if (items === null) throw new ProtocolDecodeError(`null where an array is required at offset ${this.pos}`);
    return items;
  }

  nullableArray<T>(readItem: (r: Reader) => T): T[] | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new ProtocolDecodeError(`negative array length ${len}`);
    // Each item takes at least one byte, so a length beyond what is left is a lie we refuse early.
    if (len > this.remaining) throw new ProtocolDecodeError(`array length ${len} exceeds the ${this.remaining} bytes left`);
    const items = new Array<T>(len);
    for (let i = 0; i < len; i++) items[i] = readItem(this);
    return items;
  }

  // Flexible versions (KIP-482): compact lengths are unsigned varints holding length + 1, and every struct ends in tagged fields.

  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    if (len === -1) return null;
    this.need(len, 'compact string');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolDecodeError(`null where a string is required at offset ${this.pos}`);
    return s;
  }

  compactBytes(): Buffer {
    const len = this.uvarint() - 1;
    if (len === -1) throw new ProtocolDecodeError(`null where bytes are required at offset ${this.pos}`);
    return this.raw(len);
  }

  /** Returns a view into the request buffer (no copy), or null. */
  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    return len === -1 ? null : this.raw(len);
  }

  compactNullableArray<T>(readItem: (r: Reader) => T): T[] | null {
    const len = this.uvarint() - 1;
    if (len === -1) return null;
    if (len > this.remaining) throw new ProtocolDecodeError(`array length ${len} exceeds the ${this.remaining} bytes left`);
    const items = new Array<T>(len);
    for (let i = 0; i < len; i++) items[i] = readItem(this);
    return items;
  }

  compactArray<T>(readItem: (r: Reader) => T): T[] {
    const items = this.compactNullableArray(readItem);
    if (items === null) throw new ProtocolDecodeError(`null where an array is required at offset ${this.pos}`);
    return items;
  }

  /** A 16-byte UUID (topic ids), as 32 lowercase hex digits; all zeros means "none". */
  uuid(): string {
    return this.raw(16).toString('hex');
  }

  /** Skips a tagged-fields section: the broker knows no tags yet, so all are ignored, as the protocol allows. */
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }

  skip(n: number): void {
    this.need(n, 'skip');
    this.pos += n;
  }
}
