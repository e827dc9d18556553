import { Header, readFailureEnvelope, type EventCodec, type FailureEnvelope } from '@agentmesh/runtime';
import type { ObservedRecord } from '../watch/topic-watch';

/** A record of an agent's DLQ: the event's value decoded as on its original topic, and its failure history. */
export interface DeadLetter extends ObservedRecord {
  /** Why it is here and every failed delivery before; undefined only for a record the mesh did not write. */
  failure: FailureEnvelope | undefined;
}

export async function decodeDeadLetter(record: ObservedRecord<Buffer | null>, codec: EventCodec): Promise<DeadLetter> {
  const failure = readFailureEnvelope(record.headers);
  const topic = record.headers[Header.originalTopic] ?? record.topic;
  let value: unknown = record.value;
  try {
    value = await codec.decode(topic, record.value);
  } catch {
    // Invalid input is dead-lettered as it came: the raw bytes are what there is to see.
  }
  return { ...record, value, failure };
}
