import type { SagaState } from '@agentmesh/coordinator';
import { JsonCodec, type EventCodec } from '@agentmesh/runtime';
import type { DecodedData } from './format';

/** Avro in the Confluent wire format: magic byte 0, then a 4-byte schema id. */
function isAvroFrame(bytes: Buffer): boolean {
  return bytes.length >= 5 && bytes[0] === 0;
}

/**
 * Decodes a saga's data for display; never throws. Avro frames go through
 * `registry` when there is one; everything else is read as JSON. A failure
 * is reported with its reason (the byte count is always there).
 */
export async function decodeSagaData(data: SagaState['data'], registry: EventCodec | undefined): Promise<DecodedData> {
  // Lenient by design: whatever is not base64 is skipped, and the decode below reports what is left.
  const bytes = Buffer.from(typeof data?.bytes === 'string' ? data.bytes : '', 'base64');
  const topic = typeof data?.topic === 'string' ? data.topic : '?';
  const avro = isAvroFrame(bytes);
  const codec = avro && registry ? registry : new JsonCodec();
  try {
    return { topic, bytes: bytes.length, encoding: avro && registry ? 'avro' : 'json', value: await codec.decode(topic, bytes) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { topic, bytes: bytes.length, error: avro && !registry ? `Avro (schema id ${bytes.readInt32BE(1)}): pass --registry to decode it` : reason };
  }
}
