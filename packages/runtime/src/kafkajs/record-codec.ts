/**
 * The record (Kafka record format v2, "record v0" in kafkajs) encoder and decoder, written for
 * speed and byte for byte the same as kafkajs 2.2.4's own. See install.ts for why and how
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
  (value as Buffer).copy(buf, at);
  return at + length;
}

/** The bytes of one header (name and value, with their lengths), or undefined for a value kafkajs cannot size. */
function headerBytes(name: string, value: unknown): number | undefined {
  const valueLength = typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.length : undefined;
  if (valueLength === undefined) return undefined;
  const nameLength = Buffer.byteLength(name);
  return sizeOfVarInt(nameLength) + nameLength + sizeOfVarInt(valueLength) + valueLength;
}

function writeHeader(buf: Buffer, at: number, name: string, value: string | Buffer): number {
  const nameLength = Buffer.byteLength(name);
  at = writeText(buf, writeVarInt(buf, at, nameLength), name, nameLength);
  return writeBytesField(buf, at, value, typeof value === 'string' ? Buffer.byteLength(value) : value.length);
}

/**
 * A record encoder producing what kafkajs's does, in one exactly sized buffer (kafkajs allocates a
 * zeroed 512-byte encoder per record and per header, and a Buffer per varint).
 */
export function fastRecordEncoder(original: RecordEncoder, Encoder: EncoderClass): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
    if (typeof offsetDelta !== 'number' || !Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > 0x3fffffff) return original(record);
    if (typeof timestampDelta !== 'number' || !Number.isInteger(timestampDelta) || Math.abs(timestampDelta) >= SAFE_DELTA) return original(record);
    const keyBytes = bytesOf(key);
    const valueBytes = bytesOf(value);
    if (keyBytes === undefined || valueBytes === undefined) return original(record);

    // Headers in kafkajs's order: by key, an array value as one header per item. Measured in one pass and
    // written in another, rather than gathered into arrays first.
    const names = Object.keys(headers);
    let headerCount = 0;
    let headersSize = 0;
    for (const name of names) {
      const entry = headers[name];
      if (Array.isArray(entry)) {
        for (const item of entry as unknown[]) {
          const size = headerBytes(name, item);
          // kafkajs cannot size a null header value; its own function reports that.
          if (size === undefined) return original(record);
          headersSize += size;
          headerCount++;
        }
      } else {
        const size = headerBytes(name, entry);
        if (size === undefined) return original(record);
        headersSize += size;
        headerCount++;
      }
    }

    const zigzagDelta = zigzag64(timestampDelta);
    const bodySize = 1 + sizeOfUnsignedVarLong(zigzagDelta) + sizeOfVarInt(offsetDelta) + sizeOfBytesField(keyBytes) + sizeOfBytesField(valueBytes) + sizeOfVarInt(headerCount) + headersSize;
    const buf = Buffer.allocUnsafe(sizeOfVarInt(bodySize) + bodySize);
    let at = writeVarInt(buf, 0, bodySize);
    buf[at++] = 0; // attributes: none used at record level
    at = writeUnsignedVarLong(buf, at, zigzagDelta);
    at = writeVarInt(buf, at, offsetDelta);
    at = writeBytesField(buf, at, key, keyBytes);
    at = writeBytesField(buf, at, value, valueBytes);
    at = writeVarInt(buf, at, headerCount);
    for (const name of names) {
      const entry = headers[name] as string | Buffer | Array<string | Buffer>;
      if (Array.isArray(entry)) for (const item of entry) at = writeHeader(buf, at, name, item);
      else at = writeHeader(buf, at, name, entry);
    }

    // A real kafkajs Encoder (its record batch encoder checks for one) over the exact bytes, made without
    // its constructor's own buffer.
    const encoder = Object.create(Encoder.prototype) as EncoderLike;
    encoder.buf = buf;
    encoder.offset = at;
    return encoder;
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/** Thrown inside the fast decoder when a record needs kafkajs's own (exotic values); never escapes. */
const FALL_BACK = Symbol('fall back to kafkajs');

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
}

/** A decimal string as a number when that is exact, else FALL_BACK (kafkajs adds with Longs). */
function exactNumber(text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(n)) throw FALL_BACK;
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
  return (decoder, batchContext = {}) => {
    const start = decoder.offset;
    const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
    const read = new Reader(decoder.buffer, start);
    try {
      const attributes = decoder.buffer.readInt8(read.at++);
      const timestampDelta = read.varLong();
      const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : sum(exactNumber(firstTimestamp), timestampDelta);
      const offset = sum(exactNumber(firstOffset), read.varInt());
      const key = read.bytes();
      const value = read.bytes();
      const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
      const count = read.varInt();
      for (let i = 0; i < count; i++) {
        const name = String(read.string());
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
