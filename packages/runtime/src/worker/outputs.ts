import type { AgentEvent, OutputEvent } from '../agent/types';
import { Header, type Headers } from '../events/headers';
import { deriveEventId } from '../events/ids';
import { InvalidOutputError } from '../failure/errors';
import { isLegalTopicName } from './topics';

/** An output ready for encoding: topic, key and the mesh's headers. */
export interface PreparedOutput {
  topic: string;
  key: string | null;
  value: unknown;
  headers: Headers;
}

/**
 * What is wrong with an output Kafka could not carry, or undefined. Checked before anything is sent:
 * kafkajs fails a whole produce request on one bad record (an illegal topic name is even non-retriable,
 * which stops the consumer), so a handler's bad output must fail its own event instead.
 */
export function outputProblem(output: OutputEvent): string | undefined {
  const { topic, key, headers } = output as { topic: unknown; key: unknown; headers: unknown };
  if (typeof topic !== 'string' || !isLegalTopicName(topic)) {
    return `an output names the topic ${JSON.stringify(String(topic).slice(0, 300))}, which is not a legal Kafka topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")`;
  }
  if (key !== undefined && key !== null && typeof key !== 'string') return `an output to '${topic}' has a ${typeof key} key; a key is a string or null`;
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null) return `an output to '${topic}' has headers that are not an object of strings`;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== 'string') return `an output to '${topic}' has a ${value === null ? 'null' : typeof value} value for header '${name}'; header values are strings`;
  }
  return undefined;
}

const NO_HEADERS: Headers = Object.freeze({});

/**
 * Gives each output its deterministic id (derived from the input's id, the topic and its position),
 * the input's correlation id and the input as cause (the trace context is added when the record is
 * sent). A re-run after a crash yields identical ids.
 */
export function prepareOutputs(input: AgentEvent, outputs: readonly OutputEvent[], agent: string, extra: Headers = NO_HEADERS): PreparedOutput[] {
  // Most handlers emit one output: the per-topic position count is kept only when there are more.
  const perTopic = outputs.length > 1 ? new Map<string, number>() : undefined;
  const prepared = new Array<PreparedOutput>(outputs.length);
  for (let i = 0; i < outputs.length; i++) {
    const out = outputs[i]!;
    const problem = outputProblem(out);
    if (problem !== undefined) throw new InvalidOutputError(problem);
    const index = perTopic?.get(out.topic) ?? 0;
    perTopic?.set(out.topic, index + 1);
    const eventId = deriveEventId(input.eventId, `${agent}/${out.topic}`, index);
    prepared[i] = {
      topic: out.topic,
      key: out.key === undefined ? input.key : out.key,
      value: out.value,
      // Nearly every output has no headers of its own: then a literal of the mesh's three, without spreads.
      headers:
        out.headers === undefined && extra === NO_HEADERS
          ? { [Header.eventId]: eventId, [Header.correlationId]: input.correlationId, [Header.causationId]: input.eventId }
          : { ...out.headers, ...extra, [Header.eventId]: eventId, [Header.correlationId]: input.correlationId, [Header.causationId]: input.eventId },
    };
  }
  return prepared;
}
