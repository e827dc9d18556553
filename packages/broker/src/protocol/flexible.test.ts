import {
  readArray,
  readBytes,
  readNullableArray,
  readNullableString,
  readScalarArray,
  readString,
  writeArray,
  writeBytes,
  writeNullableArray,
  writeNullableString,
  writeScalarArray,
  writeString,
} from './flexible';
import { Reader } from './reader';
import { Writer } from './writer';

describe('flexible-version encodings (KIP-482)', () => {
  it('writes unsigned varints of one to five bytes and reads them back', () => {
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 31 - 1];
    const w = new Writer();
    for (const v of values) w.uvarint(v);
    const buf = w.toBuffer();
    expect(buf.subarray(0, 5)).toEqual(Buffer.from([0x00, 0x01, 0x7f, 0x80, 0x01]));
    const r = new Reader(buf);
    expect(values.map(() => r.uvarint())).toEqual(values);
  });

  it('round-trips compact strings, bytes and arrays with tagged fields after each item', () => {
    const long = 'x'.repeat(200); // a length that needs two varint bytes
    const w = new Writer();
    writeString(w, long, true);
    writeNullableString(w, null, true);
    writeBytes(w, Buffer.from([1, 2, 3]), true);
    writeArray(w, ['a', 'b'], true, (x, s) => writeString(x, s, true));
    w.taggedFields();
    const r = new Reader(w.toBuffer());
    expect(readString(r, true)).toBe(long);
    expect(readNullableString(r, true)).toBeNull();
    expect(readBytes(r, true)).toEqual(Buffer.from([1, 2, 3]));
    expect(readArray(r, true, (x) => readString(x, true))).toEqual(['a', 'b']);
    r.taggedFields();
    expect(r.remaining).toBe(0);
  });

  it('skips unknown tagged fields, and refuses lengths beyond the buffer', () => {
    // Two tags: tag 0 with 2 bytes, tag 5 with 1 byte.
    const r = new Reader(Buffer.from([2, 0, 2, 9, 9, 5, 1, 7, 42]));
    r.taggedFields();
    expect(r.int8()).toBe(42);
    expect(() => new Reader(Buffer.from([10, 65])).compactString()).toThrow(/truncated request/);
    expect(() => new Reader(Buffer.from([50])).compactArray((x) => x.int8())).toThrow(/exceeds/);
  });

  it('keeps the classic encodings when not flexible', () => {
    const w = new Writer();
    writeString(w, 'ab', false);
    expect(w.toBuffer()).toEqual(Buffer.from([0, 2, 97, 98]));
  });

  it('writes a null array as 0 (compact) or -1 (classic), and scalar arrays without tagged fields', () => {
    for (const flexible of [true, false]) {
      const w = new Writer();
      writeNullableArray(w, null, flexible, (x, v: number) => x.int32(v));
      writeNullableArray(w, [7], flexible, (x, v) => x.int32(v));
      writeScalarArray(w, [1, 2], flexible, (x, v) => x.int32(v));
      const r = new Reader(w.toBuffer());
      expect(readNullableArray(r, flexible, (x) => x.int32())).toBeNull();
      expect(readNullableArray(r, flexible, (x) => x.int32())).toEqual([7]);
      expect(readScalarArray(r, flexible, (x) => x.int32())).toEqual([1, 2]);
      expect(r.remaining).toBe(0);
    }
  });

  it('reads and writes UUIDs (topic ids) and compact nullable bytes', () => {
    const id = '0123456789abcdef0123456789abcdef';
    const w = new Writer();
    w.uuid(id).uvarint(0).compactBytes(Buffer.from('xy'));
    const r = new Reader(w.toBuffer());
    expect(r.uuid()).toBe(id);
    expect(r.compactNullableBytes()).toBeNull();
    expect(r.compactNullableBytes()?.toString()).toBe('xy');
  });
});
