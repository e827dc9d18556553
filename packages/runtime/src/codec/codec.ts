/**
 * Turns event values into bytes and back. The registry codec speaks Avro in
 * the Confluent wire format; decode failures are InvalidInputError, so the
 * event goes to the DLQ as invalid-input instead of crashing the agent.
 */
export interface EventCodec {
  encode(topic: string, value: unknown): Promise<Buffer>;
  decode(topic: string, bytes: Buffer | null): Promise<unknown>;
}

/** What decodeNow and encodeNow answer when the asynchronous call is needed. */
export const NOT_READY: unique symbol = Symbol('codec: call the asynchronous method');

/**
 * A codec that can also answer at once when nothing has to be fetched (the schemas are known): the
 * mesh's own codecs are. The worker's hot path and the coordinator use it to save a promise and a
 * turn of the microtask queue per value; any other EventCodec is simply awaited.
 */
export interface ImmediateCodec extends EventCodec {
  /** decode's result and errors, or NOT_READY when decode must be awaited instead. */
  decodeNow(topic: string, bytes: Buffer | null): unknown;
  /** encode's result and errors, or NOT_READY when encode must be awaited instead. */
  encodeNow(topic: string, value: unknown): Buffer | typeof NOT_READY;
}

export function isImmediate(codec: EventCodec): codec is ImmediateCodec {
  return typeof (codec as Partial<ImmediateCodec>).decodeNow === 'function' && typeof (codec as Partial<ImmediateCodec>).encodeNow === 'function';
}

/** The value decoded, at once where the codec can, else as a promise. */
export function decodeSoon(codec: EventCodec, topic: string, bytes: Buffer | null): unknown {
  if (isImmediate(codec)) {
    const value = codec.decodeNow(topic, bytes);
    if (value !== NOT_READY) return value;
  }
  return codec.decode(topic, bytes);
}

/** The value encoded, at once where the codec can, else as a promise. */
export function encodeSoon(codec: EventCodec, topic: string, value: unknown): Buffer | Promise<Buffer> {
  if (isImmediate(codec)) {
    const bytes = codec.encodeNow(topic, value);
    if (bytes !== NOT_READY) return bytes;
  }
  return codec.encode(topic, value);
}
