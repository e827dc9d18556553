import { inspect } from 'node:util';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { Header } from '../events/headers';
import type { EventOutcomeLabel } from './metrics';
import { extractTraceContext, injectTraceHeaders, type StringHeaders } from './propagation';
import { isRecording } from './tracing-setup';

// ---------------------------------------------------------------------------------------------
// Attribute names. The messaging ones are copied from the (incubating) OTel semantic conventions,
// as OTel advises, rather than importing the unstable entry point.
// ---------------------------------------------------------------------------------------------
export const MessagingAttribute = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destinationName: 'messaging.destination.name',
  partitionId: 'messaging.destination.partition.id',
  /** Current convention for the group... */
  consumerGroupName: 'messaging.consumer.group.name',
  /** ...and the Kafka-specific name many backends still key on. */
  kafkaConsumerGroup: 'messaging.kafka.consumer.group',
  kafkaOffset: 'messaging.kafka.offset',
  kafkaMessageKey: 'messaging.kafka.message.key',
  messageId: 'messaging.message.id',
} as const;

export const MeshAttribute = {
  agent: 'mesh.agent',
  attempt: 'mesh.attempt',
  outcome: 'mesh.outcome',
  correlationId: 'mesh.correlation_id',
} as const;

const ATTR_ERROR_TYPE = 'error.type';
const KAFKA = 'kafka';

/** A started span together with the context to parent further spans (or inject) from. */
export interface StartedSpan {
  span: Span;
  context: Context;
}

/**
 * Starts a span under `parent`. Its kind and attributes are built only for a tracer that records:
 * a non-recording tracer's span would drop them, yet still carries the ids onward.
 */
function startChildSpan(tracer: Tracer, name: string, parent: Context, kind: SpanKind, attributes: () => Attributes): StartedSpan {
  const span = isRecording(tracer) ? tracer.startSpan(name, { kind, attributes: attributes() }, parent) : tracer.startSpan(name, undefined, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export interface ConsumeSpanInput {
  agent: string;
  topic: string;
  partition: number;
  offset: string;
  eventId?: string;
  /** The record's headers as strings; the trace context of the previous hop is read from them. */
  headers: Readonly<StringHeaders>;
  /** Default: the agent name (each agent is its own group). */
  consumerGroup?: string;
  /** The delivery this is (AgentEvent.attempt: 1 the first time). */
  attempt?: number;
  key?: string | null;
}

/**
 * The span of one record's processing by an agent, a child of the context in its headers, so that
 * one trace follows an event across agents, retry topics and the DLQ.
 */
export function startConsumeSpan(tracer: Tracer, input: ConsumeSpanInput): StartedSpan {
  return startChildSpan(tracer, `process ${input.topic}`, extractTraceContext(input.headers), SpanKind.CONSUMER, () => consumeAttributes(input));
}

function consumeAttributes(input: ConsumeSpanInput): Attributes {
  const group = input.consumerGroup ?? input.agent;
  const attributes: Attributes = {
    [MessagingAttribute.system]: KAFKA,
    [MessagingAttribute.operationType]: 'process',
    [MessagingAttribute.operationName]: 'process',
    [MessagingAttribute.destinationName]: input.topic,
    [MessagingAttribute.partitionId]: String(input.partition),
    [MessagingAttribute.consumerGroupName]: group,
    [MessagingAttribute.kafkaConsumerGroup]: group,
    [MeshAttribute.agent]: input.agent,
  };
  if (input.attempt !== undefined) attributes[MeshAttribute.attempt] = input.attempt;
  const offset = Number(input.offset);
  if (Number.isSafeInteger(offset)) attributes[MessagingAttribute.kafkaOffset] = offset;
  const eventId = input.eventId ?? input.headers[Header.eventId];
  if (eventId) attributes[MessagingAttribute.messageId] = eventId;
  const correlationId = input.headers[Header.correlationId];
  if (correlationId) attributes[MeshAttribute.correlationId] = correlationId;
  if (input.key != null) attributes[MessagingAttribute.kafkaMessageKey] = input.key;
  return attributes;
}

export interface HandleSpanInput {
  agent: string;
  eventId?: string;
  attempt?: number;
}

/** The span around the user's handler call (child of the consume span). */
export function startHandleSpan(tracer: Tracer, parent: Context, input: HandleSpanInput): StartedSpan {
  return startChildSpan(tracer, `handle ${input.agent}`, parent, SpanKind.INTERNAL, () => {
    const attributes: Attributes = { [MeshAttribute.agent]: input.agent };
    if (input.attempt !== undefined) attributes[MeshAttribute.attempt] = input.attempt;
    if (input.eventId) attributes[MessagingAttribute.messageId] = input.eventId;
    return attributes;
  });
}

export interface ProduceSpanInput {
  agent: string;
  topic: string;
  eventId?: string;
  key?: string | null;
  /** When given, the produce span's trace context is written into these outgoing headers. */
  headers?: StringHeaders;
}

/**
 * The span of sending one record (an output, a retry or a DLQ write). The next hop's consume span
 * becomes its child through the headers.
 */
export function startProduceSpan(tracer: Tracer, parent: Context, input: ProduceSpanInput): StartedSpan {
  const started = startChildSpan(tracer, `send ${input.topic}`, parent, SpanKind.PRODUCER, () => {
    const attributes: Attributes = {
      [MessagingAttribute.system]: KAFKA,
      [MessagingAttribute.operationType]: 'send',
      [MessagingAttribute.operationName]: 'send',
      [MessagingAttribute.destinationName]: input.topic,
      [MeshAttribute.agent]: input.agent,
    };
    if (input.eventId) attributes[MessagingAttribute.messageId] = input.eventId;
    if (input.key != null) attributes[MessagingAttribute.kafkaMessageKey] = input.key;
    return attributes;
  });
  if (input.headers) injectTraceHeaders(started.context, input.headers);
  return started;
}

/** The span of a record that starts a trace (`mesh publish`, a saga trigger): a send span with no parent. */
export function startRootSendSpan(tracer: Tracer, input: ProduceSpanInput): StartedSpan {
  return startProduceSpan(tracer, ROOT_CONTEXT, input);
}

export interface SpanEnding {
  outcome?: EventOutcomeLabel;
  /** Marks the span as failed and records the exception. */
  error?: unknown;
}

/** Ends a span with the mesh's outcome and, on failure, an error status. */
export function endSpan(span: Span, ending: SpanEnding = {}): void {
  if (ending.outcome) span.setAttribute(MeshAttribute.outcome, ending.outcome);
  if (ending.error !== undefined) {
    // Something thrown that is not an Error: a string as it is, anything else as inspect shows it (not '[object Object]').
    const error = ending.error instanceof Error ? ending.error : new Error(typeof ending.error === 'string' ? ending.error : inspect(ending.error));
    span.recordException(error);
    span.setAttribute(ATTR_ERROR_TYPE, error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}
