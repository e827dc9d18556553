/**
 * The record (Kafka record format v2, "record v0" in kafkajs) encoder and decoder, written for
 * speed and byte for byte the same as kafkajs 2.2.4's own. See index.ts for why and how
 * they replace kafkajs's.
 *
 * Anything unusual (a Long, a huge or fractional timestamp delta, an odd header value, a negative
 * length other than -1) is handed to kafkajs's own function, so behaviour outside the fast path,
 * errors included, stays kafkajs's.
 */

/** What kafkajs's produce request passes to its record encoder. */
export interface RecordInput {
  offsetDelta?: unknown;
  timestampDelta?: unknown;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

/** kafkajs's Encoder, as far as the record batch encoder uses a record's. */
export interface EncoderLike {
  buf: Buffer;
  offset: number;
}

export type EncoderClass = new (initialSize?: number) => EncoderLike;
export type RecordEncoder = (record: RecordInput) => EncoderLike;

/** kafkajs's Decoder, as far as the record decoder uses it. */
export interface DecoderLike {
  buffer: Buffer;
  offset: number;
}

/** The batch fields kafkajs's record batch decoder hands each record. */
export interface BatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  maxTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
}

/** A record as kafkajs's decoder returns it. */
export interface DecodedRecord {
  magicByte: number | undefined;
  attributes: number;
  timestamp: string | undefined;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | Array<Buffer | null>>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}

export type RecordDecoder = (decoder: DecoderLike, batchContext?: BatchContext) => DecodedRecord;

const LOG_APPEND_TIME = 1;
/** Timestamp deltas are handled as doubles while they are this small (their zigzag form stays exact). */
const SAFE_DELTA = 2 ** 51;
/** Up to this many characters, ASCII text is copied in JS rather than by Buffer.write. */
const SHORT_TEXT = 64;

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** The zigzag varint size of a 32-bit int, as kafkajs's Encoder.sizeOfVarInt. */
function sizeOfVarInt(value: number): number {
  let encoded = (value << 1) ^ (value >> 31);
  let bytes = 1;
  while ((encoded & 0xffffff80) !== 0) {
    bytes += 1;
    encoded >>>= 7;
  }
  return bytes;
}

function writeVarInt(buf: Buffer, at: number, value: number): number {
  let encoded = (value << 1) ^ (value >> 31);
  while ((encoded & 0xffffff80) !== 0) {
    buf[at++] = (encoded & 0x7f) | 0x80;
    encoded >>>= 7;
  }
  buf[at++] = encoded & 0x7f;
  return at;
}

/** Zigzag of a safe integer as a 64-bit varlong would carry it: exact below SAFE_DELTA. */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function sizeOfUnsignedVarLong(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    bytes += 1;
    value = Math.floor(value / 0x80);
  }
  return bytes;
}

function writeUnsignedVarLong(buf: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buf[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[at++] = value;
  return at;
}

/** Writes `text`, of UTF-8 length `length`, at `at`; returns where it ends. */
function writeText(buf: Buffer, at: number, text: string, length: number): number {
  // Short ASCII text (header names, ids, trace contexts) by hand: buf.write's call into C++ costs
  // more than the copy. A UTF-8 length equal to the UTF-16 length means every character is ASCII.
  if (length === text.length && length <= SHORT_TEXT) {
    for (let i = 0; i < length; i++) buf[at + i] = text.charCodeAt(i);
    return at + length;
  }
  buf.write(text, at, length, 'utf8');
  return at + length;
}

/** Byte length of a key, value or header value kafkajs can write (-1: null), or undefined when it cannot. */
function bytesOf(value: unknown): number | undefined {
  if (value === null || value === undefined) return -1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Buffer.isBuffer(value)) return value.length;
  return undefined;
}

function sizeOfBytesField(length: number): number {
  return length < 0 ? sizeOfVarInt(-1) : sizeOfVarInt(length) + length;
}

function writeBytesField(buf: Buffer, at: number, value: unknown, length: number): number {
  if (length < 0) return writeVarInt(buf, at, -1);
  at = writeVarInt(buf, at, length);
  if (typeof value === 'string') return writeText(buf, at, value, length);
  buf.set(value as Buffer, at);
  return at + length;
}

/** The bytes of one header (name and value, with their lengths), or undefined for a value kafkajs cannot size. */
/**
 * Measures one header (name and value, with their lengths) into `lengths` (its name's and value's
 * byte lengths, for writeHeader) and returns its size; undefined for a value kafkajs cannot size.
 */
function measureHeader(name: string, value: unknown, lengths: number[]): number | undefined {
  const valueLength = typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.length : undefined;
  if (valueLength === undefined) return undefined;
  const nameLength = Buffer.byteLength(name);
  lengths.push(nameLength, valueLength);
  return sizeOfVarInt(nameLength) + nameLength + sizeOfVarInt(valueLength) + valueLength;
}

function writeHeader(buf: Buffer, at: number, name: string, value: string | Buffer, nameLength: number, valueLength: number): number {
  at = writeText(buf, writeVarInt(buf, at, nameLength), name, nameLength);
  return writeBytesField(buf, at, value, valueLength);
}

/** A record measured for writeRecord: what it holds and the sizes worked out on the way. */
export interface RecordPlan {
  readonly offsetDelta: number;
  /** The timestamp delta in zigzag form, as its varlong carries it. */
  readonly zigzagDelta: number;
  readonly key: unknown;
  readonly keyBytes: number;
  readonly value: unknown;
  readonly valueBytes: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly headerNames: readonly string[];
  readonly headerCount: number;
  /** Each header's name and value byte lengths, in writing order: measured once, for writing. */
  readonly headerLengths: readonly number[];
  /** The record's bytes after its length prefix. */
  readonly bodySize: number;
  /** All the record's bytes, its length prefix included. */
  readonly size: number;
}

/**
 * Measures a record as kafkajs's record encoder would write it (its fields already defaulted as
 * that encoder defaults them), or returns undefined when the record is one for kafkajs's own
 * encoder: a Long, a huge or fractional delta, a header value it cannot size, a key or value that
 * is neither bytes, text nor null.
 */
export function planRecord(offsetDelta: unknown, timestampDelta: unknown, key: unknown, value: unknown, headers: unknown): RecordPlan | undefined {
  if (typeof offsetDelta !== 'number' || !Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > 0x3fffffff) return undefined;
  if (typeof timestampDelta !== 'number' || !Number.isInteger(timestampDelta) || Math.abs(timestampDelta) >= SAFE_DELTA) return undefined;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const keyBytes = bytesOf(key);
  const valueBytes = bytesOf(value);
  if (keyBytes === undefined || valueBytes === undefined) return undefined;

  // Headers in kafkajs's order: by key, an array value as one header per item. Measured here and
  // written by writeRecord, rather than gathered into arrays first.
  const named = headers as Readonly<Record<string, unknown>>;
  const headerNames = Object.keys(named);
  let headerCount = 0;
  let headersSize = 0;
  const headerLengths: number[] = [];
  for (const name of headerNames) {
    const entry = named[name];
    if (Array.isArray(entry)) {
      for (const item of entry as unknown[]) {
        const size = measureHeader(name, item, headerLengths);
        // kafkajs cannot size a null header value; its own function reports that.
        if (size === undefined) return undefined;
        headersSize += size;
        headerCount++;
      }
    } else {
      const size = measureHeader(name, entry, headerLengths);
      if (size === undefined) return undefined;
      headersSize += size;
      headerCount++;
    }
  }

  const zigzagDelta = zigzag64(timestampDelta);
  const bodySize = 1 + sizeOfUnsignedVarLong(zigzagDelta) + sizeOfVarInt(offsetDelta) + sizeOfBytesField(keyBytes) + sizeOfBytesField(valueBytes) + sizeOfVarInt(headerCount) + headersSize;
  const size = sizeOfVarInt(bodySize) + bodySize;
  return { offsetDelta, zigzagDelta, key, keyBytes, value, valueBytes, headers: named, headerNames, headerCount, headerLengths, bodySize, size };
}

/** Writes a planned record at `at` (plan.size bytes); returns where it ends. */
export function writeRecord(buf: Buffer, at: number, plan: RecordPlan): number {
  at = writeVarInt(buf, at, plan.bodySize);
  buf[at++] = 0; // attributes: none used at record level
  at = writeUnsignedVarLong(buf, at, plan.zigzagDelta);
  at = writeVarInt(buf, at, plan.offsetDelta);
  at = writeBytesField(buf, at, plan.key, plan.keyBytes);
  at = writeBytesField(buf, at, plan.value, plan.valueBytes);
  at = writeVarInt(buf, at, plan.headerCount);
  const lengths = plan.headerLengths;
  let k = 0;
  for (const name of plan.headerNames) {
    const entry = plan.headers[name] as string | Buffer | Array<string | Buffer>;
    if (Array.isArray(entry)) {
      for (const item of entry) {
        at = writeHeader(buf, at, name, item, lengths[k]!, lengths[k + 1]!);
        k += 2;
      }
    } else {
      at = writeHeader(buf, at, name, entry, lengths[k]!, lengths[k + 1]!);
      k += 2;
    }
  }
  return at;
}

/**
 * A record encoder producing what kafkajs's does, in one exactly sized buffer (kafkajs allocates a
 * zeroed 512-byte encoder per record and per header, and a Buffer per varint).
 */
export function fastRecordEncoder(original: RecordEncoder, Encoder: EncoderClass): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
    const plan = planRecord(offsetDelta, timestampDelta, key, value, headers);
    if (plan === undefined) return original(record);
    const buf = Buffer.allocUnsafe(plan.size);
    return encoderOver(Encoder, buf, writeRecord(buf, 0, plan));
  };
}

/**
 * A real kafkajs Encoder (kafkajs's encoders check for one) over bytes already written, made without
 * its constructor's own zeroed buffer.
 */
export function encoderOver(Encoder: EncoderClass, buf: Buffer, offset: number): EncoderLike {
  const encoder = Object.create(Encoder.prototype as object) as EncoderLike;
  encoder.buf = buf;
  encoder.offset = offset;
  return encoder;
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/**
 * Thrown inside the fast decoder when a record needs kafkajs's own (exotic values); never escapes.
 * One Error made once: a throw of it takes no stack trace.
 */
const FALL_BACK = new Error('fall back to kafkajs');

class Reader {
  constructor(
    readonly buf: Buffer,
    public at: number,
  ) {}

  /** kafkajs's Decoder.readVarInt, bit for bit. */
  varInt(): number {
    let byte: number;
    let result = 0;
    let shift = 0;
    do {
      byte = this.buf[this.at++]!;
      result += (byte & 0x7f) << shift;
      shift += 7;
    } while (byte >= 0x80);
    return (result >>> 1) ^ -(result & 1);
  }

  /** A zigzag varlong that fits a double exactly, else FALL_BACK. */
  varLong(): number {
    let byte: number;
    let result = 0;
    let scale = 1;
    do {
      if (scale > SAFE_DELTA) throw FALL_BACK;
      byte = this.buf[this.at++]!;
      result += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  bytes(): Buffer | null {
    const length = this.varInt();
    if (length === -1) return null;
    if (length < 0) throw FALL_BACK;
    const bytes = this.buf.slice(this.at, this.at + length);
    this.at += length;
    return bytes;
  }

  string(): string | null {
    const length = this.varInt();
    if (length === -1) return null;
    if (length < 0) throw FALL_BACK;
    const text = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }

  /** A header name: string(), but the same string object as last time for the same bytes (see HeaderNames). */
  headerName(names: HeaderNames): string | null {
    const length = this.varInt();
    if (length === -1) return null;
    if (length < 0) throw FALL_BACK;
    const text = names.lookup(this.buf, this.at, length);
    this.at += length;
    return text;
  }
}

/**
 * The header names a decoder has met, by their bytes. Every record of the mesh carries the same
 * few names: decoding each afresh made a new string per header, which V8 then had to look up in
 * its table of property names to use it as a key. A name met before is recognised by comparing
 * bytes and reused. Bounded: a stream of ever new names only cycles through the slots.
 */
class HeaderNames {
  private readonly bytes: Buffer[] = [];
  private readonly texts: string[] = [];
  private next = 0;

  lookup(buf: Buffer, at: number, length: number): string {
    const { bytes, texts } = this;
    for (let i = 0; i < bytes.length; i++) {
      const known = bytes[i]!;
      if (known.length !== length) continue;
      let same = true;
      for (let j = 0; j < length; j++) {
        if (known[j] !== buf[at + j]) {
          same = false;
          break;
        }
      }
      if (same) return texts[i]!;
    }
    const text = buf.toString('utf8', at, at + length);
    // Long names are rare and not worth comparing against.
    if (length <= HEADER_NAME_MAX_BYTES) {
      bytes[this.next] = Buffer.from(buf.subarray(at, at + length));
      texts[this.next] = text;
      this.next = (this.next + 1) % HEADER_NAME_SLOTS;
    }
    return text;
  }
}

const HEADER_NAME_SLOTS = 32;
const HEADER_NAME_MAX_BYTES = 64;

/** A decimal string as a number when that is exact, else NaN (kafkajs adds with Longs). */
function exactNumberOrNaN(text: string | undefined): number {
  const n = Number(text);
  return text === undefined || text === '' || !Number.isSafeInteger(n) ? NaN : n;
}

/** A number from exactNumberOrNaN, or FALL_BACK where it had none. */
function exact(n: number): number {
  if (Number.isNaN(n)) throw FALL_BACK;
  return n;
}

function sum(a: number, b: number): string {
  const total = a + b;
  if (!Number.isSafeInteger(total)) throw FALL_BACK;
  return String(total);
}

/**
 * A record decoder returning what kafkajs's does: the same fields, offsets and timestamps as
 * strings, header values as views of the fetched bytes, repeated header keys as arrays. kafkajs
 * rebuilds the headers object once per header and does its offset and timestamp arithmetic with
 * Longs.
 */
export function fastRecordDecoder(original: RecordDecoder): RecordDecoder {
  const names = new HeaderNames();
  // The batch's first offset and timestamp as numbers, parsed once per batch rather than per record
  // (kafkajs hands every record of a batch the same context object); NaN when not exact.
  let context: BatchContext | undefined;
  let baseOffset = NaN;
  let baseTimestamp = NaN;
  return (decoder, batchContext = {}) => {
    const start = decoder.offset;
    const { magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
    if (batchContext !== context) {
      context = batchContext;
      baseOffset = exactNumberOrNaN(batchContext.firstOffset);
      baseTimestamp = exactNumberOrNaN(batchContext.firstTimestamp);
    }
    const read = new Reader(decoder.buffer, start);
    try {
      const attributes = decoder.buffer.readInt8(read.at++);
      const timestampDelta = read.varLong();
      const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : sum(exact(baseTimestamp), timestampDelta);
      const offset = sum(exact(baseOffset), read.varInt());
      const key = read.bytes();
      const value = read.bytes();
      const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
      const count = read.varInt();
      for (let i = 0; i < count; i++) {
        const name = String(read.headerName(names));
        const headerValue = read.bytes();
        const seen = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
        const merged = seen === undefined ? headerValue : Array.isArray(seen) ? [...seen, headerValue] : [seen, headerValue];
        // An own property even for '__proto__', as kafkajs's object spread makes.
        if (name === '__proto__') Object.defineProperty(headers, name, { value: merged, enumerable: true, writable: true, configurable: true });
        else headers[name] = merged;
      }
      decoder.offset = read.at;
      return { magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: isControlBatch, batchContext };
    } catch (error) {
      if (error !== FALL_BACK) throw error;
      decoder.offset = start;
      return original(decoder, batchContext);
    }
  };
}
