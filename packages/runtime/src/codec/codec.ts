/**
 * Turns event values into bytes and back. The registry codec speaks Avro in
 * the Confluent wire format; decode failures are InvalidInputError, so the
 * event goes to the DLQ as invalid-input instead of crashing the agent.
 */
export interface EventCodec {
  encode(topic: string, value: unknown): Promise<Buffer>;
  decode(topic: string, bytes: Buffer | null): Promise<unknown>;
  /**
   * Optional, for the worker's hot path: decode at once when nothing has to be fetched (the schemas
   * are known), with decode's result and errors; NOT_READY when decode must be awaited instead.
   */
  decodeNow?(topic: string, bytes: Buffer | null): unknown;
  /** Optional, likewise: encode at once when nothing has to be fetched and the value fits; NOT_READY otherwise. */
  encodeNow?(topic: string, value: unknown): Buffer | typeof NOT_READY;
}

/** What decodeNow and encodeNow answer when the asynchronous call is needed. */
export const NOT_READY: unique symbol = Symbol('codec: call the asynchronous method');
