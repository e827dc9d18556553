import { InvalidInputError } from '../failure/errors';

/**
 * Confluent's wire format: magic byte 0, the writer schema id as a big-endian
 * int32, then the Avro body. Every Confluent-compatible client reads and writes it.
 */
export const CONFLUENT_MAGIC_BYTE = 0;
export const CONFLUENT_HEADER_BYTES = 5;

export interface ConfluentFrame {
  schemaId: number;
  body: Buffer;
}

export function encodeConfluentFrame(schemaId: number, body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + body.length);
  writeConfluentHeader(frame, schemaId);
  body.copy(frame, CONFLUENT_HEADER_BYTES);
  return frame;
}

/** Writes the magic byte and schema id into the first five bytes of `frame`. */
export function writeConfluentHeader(frame: Buffer, schemaId: number): void {
  frame[0] = CONFLUENT_MAGIC_BYTE;
  frame.writeInt32BE(schemaId, 1);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Splits a record value into schema id and body; anything else is InvalidInputError saying why. */
export function parseConfluentFrame(bytes: Buffer | null | undefined): ConfluentFrame {
  if (bytes === null || bytes === undefined) throw new InvalidInputError('the record has no value (null or tombstone), so there is nothing to decode');
  if (bytes.length === 0) throw new InvalidInputError('the record value is empty (0 bytes)');
  const magic = bytes[0]!;
  if (magic !== CONFLUENT_MAGIC_BYTE) {
    // A leading '{' or '[' is the common mistake of producing plain JSON to an Avro topic.
    const hint = magic === 0x7b || magic === 0x5b ? '; it looks like plain JSON' : '';
    throw new InvalidInputError(`not in the Confluent wire format (magic byte ${hex(magic)}, expected 0x00${hint})`);
  }
  if (bytes.length < CONFLUENT_HEADER_BYTES) {
    throw new InvalidInputError(`not in the Confluent wire format (${bytes.length} bytes, shorter than its ${CONFLUENT_HEADER_BYTES}-byte header)`);
  }
  const schemaId = bytes.readInt32BE(1);
  if (schemaId < 1) throw new InvalidInputError(`unknown schema id ${schemaId} (registry ids start at 1)`);
  return { schemaId, body: bytes.subarray(CONFLUENT_HEADER_BYTES) };
}
