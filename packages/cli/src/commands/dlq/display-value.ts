import type { EventCodec } from '@agentmesh/runtime';

/** A dead letter's value made readable; `note` says why a richer form was not possible. */
export type DisplayedValue =
  | { encoding: 'avro'; schemaId: number; value: unknown }
  | { encoding: 'json'; value: unknown; note?: string }
  | { encoding: 'utf8'; text: string; note?: string }
  | { encoding: 'hex'; hex: string; note?: string }
  | { encoding: 'null' };

/** Avro in the Confluent wire format: magic byte 0, then a 4-byte schema id. */
function confluentSchemaId(bytes: Buffer): number | undefined {
  return bytes.length >= 5 && bytes[0] === 0 ? bytes.readInt32BE(1) : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON, else text, else hex: whatever the bytes honestly are. */
export function plainValue(bytes: Buffer, note?: string): DisplayedValue {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { encoding: 'hex', hex: bytes.toString('hex'), ...(note ? { note } : {}) };
  }
  try {
    return { encoding: 'json', value: JSON.parse(text) as unknown, ...(note ? { note } : {}) };
  } catch {
    // Valid UTF-8 full of control bytes (an Avro body, say) is binary, not text.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text)) return { encoding: 'hex', hex: bytes.toString('hex'), ...(note ? { note } : {}) };
    return { encoding: 'utf8', text, ...(note ? { note } : {}) };
  }
}

/**
 * Decodes a dead letter's value for display; never throws. Avro frames go
 * through `registry` (read as `topic`, the event's original topic); anything
 * else, or a frame the registry cannot decode, is shown as JSON, text or hex.
 * `registry` is undefined with --schemaless, or once it proved unreachable.
 */
export async function displayValue(bytes: Buffer | null, topic: string, registry: EventCodec | undefined): Promise<DisplayedValue> {
  if (bytes === null) return { encoding: 'null' };
  const schemaId = confluentSchemaId(bytes);
  if (schemaId === undefined) return plainValue(bytes);
  if (registry === undefined) return plainValue(bytes, `Avro frame (schema id ${schemaId}), not decoded without the registry`);
  try {
    return { encoding: 'avro', schemaId, value: await registry.decode(topic, bytes) };
  } catch (error) {
    return plainValue(bytes, `schema id ${schemaId} could not be decoded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** JSON.stringify that survives what Avro decoding yields (BigInt longs, Buffers for bytes). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, v: unknown) {
      // `v` has been through Buffer#toJSON already; the holder still has the bytes.
      const raw = this[key];
      if (raw instanceof Uint8Array) return Buffer.from(raw).toString('hex');
      return typeof v === 'bigint' ? v.toString() : v;
    },
    indent,
  );
}
