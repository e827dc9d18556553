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
  // Most handlers emit one output: the per-topic position count is kept only when there are more.
  const perTopic = outputs.length > 1 ? new Map<string, number>() : undefined;
  const prepared: PreparedOutput[] = new Array(outputs.length);
  for (let i = 0; i < outputs.length; i++) {
    const out = outputs[i]!;
    const index = perTopic?.get(out.topic) ?? 0;
    perTopic?.set(out.topic, index + 1);
    prepared[i] = {
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
  }
  return prepared;
}
