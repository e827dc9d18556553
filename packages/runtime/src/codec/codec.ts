/**
 * Turns event values into bytes and back. The registry codec speaks Avro in
 * the Confluent wire format; decode failures are InvalidInputError, so the
 * event goes to the DLQ as invalid-input instead of crashing the agent.
 */
export interface EventCodec {
  encode(topic: string, value: unknown): Promise<Buffer>;
  decode(topic: string, bytes: Buffer | null): Promise<unknown>;
}
