import type { AgentEvent, OutputEvent } from '../agent/types';
import { Header, type Headers } from '../events/headers';
import { deriveEventId } from '../events/ids';

/** An output ready for encoding: topic, key and the mesh's headers. */
export interface PreparedOutput {
  topic: string;
  key: string | null;
  value: unknown;
  headers: Headers;
}

/**
 * Gives each output its deterministic id (derived from the input's id, the
 * topic and its position), the input's correlation id, the input as cause,
 * (the trace context is added when the record is sent). A re-run after a crash yields identical ids.
 */
export function prepareOutputs(input: AgentEvent, outputs: readonly OutputEvent[], agent: string, extra: Headers = {}): PreparedOutput[] {
  const perTopic = new Map<string, number>();
  return outputs.map((out) => {
    const index = perTopic.get(out.topic) ?? 0;
    perTopic.set(out.topic, index + 1);
    return {
      topic: out.topic,
      key: out.key === undefined ? input.key : out.key,
      value: out.value,
      headers: {
        ...out.headers,
        ...extra,
        [Header.eventId]: deriveEventId(input.eventId, `${agent}/${out.topic}`, index),
        [Header.correlationId]: input.correlationId,
        [Header.causationId]: input.eventId,
      },
    };
  });
}
