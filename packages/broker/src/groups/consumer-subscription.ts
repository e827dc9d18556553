import { Reader } from '../protocol/reader';

/**
 * The topics in a consumer's JoinGroup metadata (Kafka's ConsumerProtocolSubscription:
 * version int16, then the topics as a classic array of strings, in every version).
 * Opaque or malformed metadata names no topics.
 */
export function subscribedTopicsOf(metadata: Buffer): string[] {
  try {
    const r = new Reader(metadata);
    r.int16();
    return r.array((x) => x.string());
  } catch {
    return [];
  }
}
