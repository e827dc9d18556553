import type { Reader } from '../../../packages/broker/src/protocol/reader';
import type { Writer } from '../../../packages/broker/src/protocol/writer';
import type { RawKafkaClient } from './raw-client';

/**
 * A request at a flexible version (KIP-482): request header v2 (the raw
 * client's header v1 plus empty tagged fields), and the response header v1's
 * tagged fields read off, so the reader starts at the body.
 */
export async function flexibleRequest(client: RawKafkaClient, apiKey: number, apiVersion: number, writeBody: (w: Writer) => void): Promise<Reader> {
  const r = await client.request(apiKey, apiVersion, (w) => {
    w.taggedFields();
    writeBody(w);
  });
  r.taggedFields();
  return r;
}

/** Reads a compact array whose items are structs (each ends in tagged fields). */
export function structs<T>(r: Reader, readItem: (r: Reader) => T): T[] {
  return r.compactArray((x) => {
    const item = readItem(x);
    x.taggedFields();
    return item;
  });
}
