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
