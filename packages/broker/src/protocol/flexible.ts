import type { Reader } from './reader';
import type { Writer } from './writer';

// APIs with both classic and flexible versions (KIP-482) read and write through these, one call per field.

export const readString = (r: Reader, flexible: boolean): string => (flexible ? r.compactString() : r.string());
export const readNullableString = (r: Reader, flexible: boolean): string | null => (flexible ? r.compactNullableString() : r.nullableString());
export const readBytes = (r: Reader, flexible: boolean): Buffer => (flexible ? r.compactBytes() : r.bytes());

/** Reads an array and, in flexible versions, each item's trailing tagged fields. */
export function readArray<T>(r: Reader, flexible: boolean, readItem: (r: Reader) => T): T[] {
  if (!flexible) return r.array(readItem);
  return r.compactArray((x) => {
    const item = readItem(x);
    x.taggedFields();
    return item;
  });
}

export function writeString(w: Writer, v: string, flexible: boolean): void {
  if (flexible) w.compactString(v);
  else w.string(v);
}

export function writeNullableString(w: Writer, v: string | null, flexible: boolean): void {
  if (flexible) w.compactNullableString(v);
  else w.nullableString(v);
}

export function writeBytes(w: Writer, v: Buffer, flexible: boolean): void {
  if (flexible) w.compactBytes(v);
  else w.bytes(v);
}

/** Writes an array and, in flexible versions, an empty tagged-fields section after each item. */
export function writeArray<T>(w: Writer, items: readonly T[], flexible: boolean, writeItem: (w: Writer, item: T) => void): void {
  if (!flexible) {
    w.array(items, writeItem);
    return;
  }
  w.compactArray(items, (x, item) => {
    writeItem(x, item);
    x.taggedFields();
  });
}

/** A nullable array: -1 (classic) or 0 (compact) stands for null. */
export function readNullableArray<T>(r: Reader, flexible: boolean, readItem: (r: Reader) => T): T[] | null {
  if (!flexible) return r.nullableArray(readItem);
  return r.compactNullableArray((x) => {
    const item = readItem(x);
    x.taggedFields();
    return item;
  });
}

export function writeNullableArray<T>(w: Writer, items: readonly T[] | null, flexible: boolean, writeItem: (w: Writer, item: T) => void): void {
  if (items !== null) writeArray(w, items, flexible, writeItem);
  else if (flexible) w.uvarint(0);
  else w.int32(-1);
}

/** An array of plain values (ints, strings): no tagged fields after each item. */
export function readScalarArray<T>(r: Reader, flexible: boolean, readItem: (r: Reader) => T): T[] {
  return flexible ? r.compactArray(readItem) : r.array(readItem);
}

export function readNullableScalarArray<T>(r: Reader, flexible: boolean, readItem: (r: Reader) => T): T[] | null {
  return flexible ? r.compactNullableArray(readItem) : r.nullableArray(readItem);
}

export function writeScalarArray<T>(w: Writer, items: readonly T[], flexible: boolean, writeItem: (w: Writer, item: T) => void): void {
  if (flexible) w.compactArray(items, writeItem);
  else w.array(items, writeItem);
}

/** The end of a top-level flexible body: its (empty) tagged-fields section. */
export function endStruct(w: Writer, flexible: boolean): void {
  if (flexible) w.taggedFields();
}

export function skipTaggedFields(r: Reader, flexible: boolean): void {
  if (flexible) r.taggedFields();
}
