import { Attribute, BATCH_HEADER_SIZE } from '../protocol/record-batch';
import { buildRecordBatch } from '../protocol/record-batch-builder';

/** A control record's type (its key: version i16, type i16). */
export const ControlType = { abort: 0, commit: 1 } as const;

/** Bytes after the batch header that always hold a marker's key: record length, attributes, two deltas, key length (varints), key. */
export const CONTROL_KEY_SPAN = 16;

/**
 * The transaction marker a coordinator writes to each partition of a
 * finished transaction: one control record, key (version 0, type), value
 * (version 0, coordinator epoch 0), under the producer's id and epoch.
 */
export function buildTransactionMarker(producerId: number, producerEpoch: number, commit: boolean, now: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(commit ? ControlType.commit : ControlType.abort, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(0, 2);
  return buildRecordBatch({ records: [{ key, value, timestamp: now }], producerId, producerEpoch, baseSequence: -1, transactional: true, control: true });
}

/** Reads a zig-zag varint at `at`; null when the buffer ends first. */
function varintAt(buf: Buffer, at: number): { value: number; next: number } | null {
  let result = 0;
  let shift = 0;
  for (let i = at; i < buf.length && shift <= 28; i++) {
    const byte = buf[i]!;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: (result >>> 1) ^ -(result & 1), next: i + 1 };
    shift += 7;
  }
  return null;
}

/**
 * The control type of a control batch, from its first bytes (header plus
 * CONTROL_KEY_SPAN); null when they do not hold a readable marker key
 * (a compressed or foreign control batch).
 */
export function controlTypeOf(head: Buffer, attributes: number): number | null {
  if ((attributes & Attribute.control) === 0 || (attributes & Attribute.compressionMask) !== 0) return null;
  let at: number = BATCH_HEADER_SIZE;
  const length = varintAt(head, at);
  if (!length) return null;
  at = length.next + 1; // record attributes
  for (let i = 0; i < 2; i++) {
    const delta = varintAt(head, at); // timestamp delta, offset delta
    if (!delta) return null;
    at = delta.next;
  }
  const keyLength = varintAt(head, at);
  if (!keyLength || keyLength.value < 4 || keyLength.next + 4 > head.length) return null;
  return head.readInt16BE(keyLength.next + 2);
}
