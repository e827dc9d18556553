import {
  context as contextApi,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { OTLPTraceExporter as OtlpTraceExporterClass } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  NodeTracerProvider,
  RandomIdGenerator,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { Header } from '../events/headers';
import { parseTraceparent } from './traceparent';
import type { EventOutcomeLabel } from './metrics';

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

// ---------------------------------------------------------------------------------------------
// W3C trace context in Kafka headers
// ---------------------------------------------------------------------------------------------
type StringHeaders = Record<string, string>;

const w3cPropagator = new W3CTraceContextPropagator();

const headerSetter: TextMapSetter<StringHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const headerGetter: TextMapGetter<StringHeaders> = {
  keys(carrier) {
    return Object.keys(carrier);
  },
  get(carrier, key) {
    const exact = carrier[key];
    if (exact !== undefined) return exact;
    // Kafka header names are case-sensitive, but a foreign producer may have written `Traceparent`.
    const wanted = key.toLowerCase();
    for (const [name, value] of Object.entries(carrier)) if (name.toLowerCase() === wanted) return value;
    return undefined;
  },
};

/**
 * Writes `traceparent` (and `tracestate` when there is one) for the span in `ctx` into `headers`,
 * replacing any carried over from an earlier hop. Leaves `headers` alone when `ctx` holds no span.
 * Returns `headers` for chaining.
 */
export function injectTraceHeaders(ctx: Context, headers: StringHeaders): StringHeaders {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext || !isSpanContextValid(spanContext)) return headers;
  delete headers[Header.traceparent];
  delete headers[Header.tracestate];
  w3cPropagator.inject(ctx, headers, headerSetter);
  return headers;
}

/**
 * The remote span context carried by `headers`, on top of `base` (the root context by default, so
 * a consumer loop's own context never becomes an event's parent by accident).
 */
export function extractTraceContext(headers: Readonly<StringHeaders>, base: Context = ROOT_CONTEXT): Context {
  return w3cPropagator.extract(base, headers, headerGetter as TextMapGetter<Readonly<StringHeaders>>);
}

/** The trace id in a `traceparent` header value, or undefined when absent or malformed. */
export function traceIdFromTraceparent(traceparent: string | undefined): string | undefined {
  // Lenient about case, as a foreign producer may not be.
  return parseTraceparent(traceparent?.toLowerCase())?.traceId;
}

// ---------------------------------------------------------------------------------------------
// Tracer provider set-up
// ---------------------------------------------------------------------------------------------
export type TraceExporterKind = 'otlp' | 'memory' | 'none';

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  /** e.g. the worker's instance id, so replicas are told apart in Jaeger. */
  serviceInstanceId?: string;
  /**
   * Default: 'otlp' when an OTLP endpoint is configured (option or OTEL_EXPORTER_OTLP_ENDPOINT),
   * otherwise 'none', so a newcomer's machine makes no network attempts.
   */
  exporter?: TraceExporterKind;
  /** Base URL of an OTLP/HTTP receiver (Jaeger: http://localhost:4318); traces go to `/v1/traces`. */
  otlpEndpoint?: string;
  /**
   * Also install this provider, an AsyncLocalStorage context manager and the W3C propagator as the
   * process-wide OpenTelemetry globals (so `trace.getActiveSpan()` and instrumentations work).
   * Default true; tests running several set-ups in one process pass false.
   */
  registerGlobal?: boolean;
  /** Read instead of process.env (tests). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Tracing {
  readonly tracer: Tracer;
  readonly exporter: TraceExporterKind;
  /** Where spans are sent when exporter is 'otlp'. */
  readonly otlpTracesUrl?: string;
  /** Present when exporter is 'memory': finished spans, for tests. */
  readonly memoryExporter?: InMemorySpanExporter;
  /** Sends spans still buffered (call before asserting on an OTLP receiver). */
  forceFlush(): Promise<void>;
  /** Flushes, stops the provider and releases the globals it registered. Idempotent. */
  shutdown(): Promise<void>;
}

/** The default OTLP/HTTP port of a local collector or Jaeger, used only when 'otlp' is asked for explicitly. */
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';
const TRACER_NAME = '@agentmesh/runtime';

export function setupTracing(options: TracingOptions): Tracing {
  const env = options.env ?? process.env;
  const configuredEndpoint = nonEmpty(options.otlpEndpoint) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const signalEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const sdkDisabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const kind: TraceExporterKind =
    options.exporter ?? (!sdkDisabled && (configuredEndpoint ?? signalEndpoint) ? 'otlp' : 'none');

  let processor: SpanProcessor | undefined;
  let memoryExporter: InMemorySpanExporter | undefined;
  let otlpTracesUrl: string | undefined;
  switch (kind) {
    case 'otlp':
      // The signal-specific variable is a full URL by the OTel spec; the generic one is a base.
      otlpTracesUrl = configuredEndpoint !== undefined || signalEndpoint === undefined
        ? otlpTracesUrlFor(configuredEndpoint ?? DEFAULT_OTLP_ENDPOINT)
        : signalEndpoint;
      // Loaded only when exporting: the OTLP exporter (and its protobuf stack) is a quarter of a second
      // of start-up that every `mesh` command and agent without an endpoint would otherwise pay.
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as { OTLPTraceExporter: typeof OtlpTraceExporterClass };
      processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl }));
      break;
    case 'memory':
      memoryExporter = new InMemorySpanExporter();
      processor = new SimpleSpanProcessor(memoryExporter);
      break;
    case 'none':
      // Spans are still created (not exported) so trace ids keep flowing through headers and logs.
      break;
  }

  const resourceAttributes: Attributes = { [ATTR_SERVICE_NAME]: options.serviceName };
  if (options.serviceVersion) resourceAttributes[ATTR_SERVICE_VERSION] = options.serviceVersion;
  if (options.serviceInstanceId) resourceAttributes['service.instance.id'] = options.serviceInstanceId;

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes(resourceAttributes),
    spanProcessors: processor ? [processor] : [],
  });
  const registerGlobal = options.registerGlobal ?? true;
  if (registerGlobal) provider.register();

  let shutdownPromise: Promise<void> | undefined;
  const tracing: Tracing = {
    // With nothing to export, recording spans was ~7% of a worker's CPU for nothing; the
    // propagating tracer still carries trace ids through headers and logs.
    tracer: kind === 'none' ? new PropagatingTracer() : provider.getTracer(TRACER_NAME),
    exporter: kind,
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      shutdownPromise ??= provider.shutdown().finally(() => {
        if (!registerGlobal) return;
        trace.disable();
        contextApi.disable();
        propagation.disable();
      });
      return shutdownPromise;
    },
  };
  return Object.assign(tracing, otlpTracesUrl ? { otlpTracesUrl } : {}, memoryExporter ? { memoryExporter } : {});
}

/**
 * A tracer whose spans record nothing but have real ids: a child keeps its parent's trace id and
 * sampled flag, a root gets a new sampled trace (as the SDK's default sampler would decide), so
 * `traceparent` headers and log trace ids are what they would be with an exporter.
 */
class PropagatingTracer implements Tracer {
  private readonly ids = new RandomIdGenerator();

  startSpan(_name: string, options?: SpanOptions, ctx: Context = contextApi.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    if (parent && isSpanContextValid(parent)) {
      return trace.wrapSpanContext({
        traceId: parent.traceId,
        spanId: this.ids.generateSpanId(),
        traceFlags: parent.traceFlags & TraceFlags.SAMPLED,
        ...(parent.traceState ? { traceState: parent.traceState } : {}),
      });
    }
    return trace.wrapSpanContext({ traceId: this.ids.generateTraceId(), spanId: this.ids.generateSpanId(), traceFlags: TraceFlags.SAMPLED });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a: F | SpanOptions, b?: F | Context, c?: F): ReturnType<F> {
    const fn = (c ?? b ?? a) as F;
    const options = typeof a === 'function' ? undefined : a;
    const parent = b !== undefined && typeof b !== 'function' ? b : contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), (s: Span) => fn(s) as ReturnType<F>, undefined, span);
  }
}

/**
 * Whether spans from `tracer` keep what is put on them: false for the propagating tracer of a process
 * with nothing to export (attributes, and spans themselves, are not worth building then).
 */
export function isRecordingTracer(tracer: Tracer): boolean {
  return !(tracer instanceof PropagatingTracer);
}

/** `${base}/v1/traces`, tolerant of a trailing slash on the base. */
export function otlpTracesUrlFor(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

// ---------------------------------------------------------------------------------------------
// Span helpers for the worker
// ---------------------------------------------------------------------------------------------

/** A started span together with the context to parent further spans (or inject) from. */
export interface StartedSpan {
  span: Span;
  context: Context;
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
  const parent = extractTraceContext(input.headers);
  if (!isRecordingTracer(tracer)) {
    const span = tracer.startSpan(`process ${input.topic}`, undefined, parent);
    return { span, context: trace.setSpan(parent, span) };
  }
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

  const span = tracer.startSpan(`process ${input.topic}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export interface HandleSpanInput {
  agent: string;
  eventId?: string;
  attempt?: number;
}

/** The span around the user's handler call (child of the consume span). */
export function startHandleSpan(tracer: Tracer, parent: Context, input: HandleSpanInput): StartedSpan {
  if (!isRecordingTracer(tracer)) {
    const span = tracer.startSpan(`handle ${input.agent}`, undefined, parent);
    return { span, context: trace.setSpan(parent, span) };
  }
  const attributes: Attributes = { [MeshAttribute.agent]: input.agent };
  if (input.attempt !== undefined) attributes[MeshAttribute.attempt] = input.attempt;
  if (input.eventId) attributes[MessagingAttribute.messageId] = input.eventId;
  const span = tracer.startSpan(`handle ${input.agent}`, { kind: SpanKind.INTERNAL, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
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
  if (!isRecordingTracer(tracer)) {
    const span = tracer.startSpan(`send ${input.topic}`, undefined, parent);
    const context = trace.setSpan(parent, span);
    if (input.headers) injectTraceHeaders(context, input.headers);
    return { span, context };
  }
  const attributes: Attributes = {
    [MessagingAttribute.system]: KAFKA,
    [MessagingAttribute.operationType]: 'send',
    [MessagingAttribute.operationName]: 'send',
    [MessagingAttribute.destinationName]: input.topic,
    [MeshAttribute.agent]: input.agent,
  };
  if (input.eventId) attributes[MessagingAttribute.messageId] = input.eventId;
  if (input.key != null) attributes[MessagingAttribute.kafkaMessageKey] = input.key;
  const span = tracer.startSpan(`send ${input.topic}`, { kind: SpanKind.PRODUCER, attributes }, parent);
  const context = trace.setSpan(parent, span);
  if (input.headers) injectTraceHeaders(context, input.headers);
  return { span, context };
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
    const error = ending.error instanceof Error ? ending.error : new Error(String(ending.error));
    span.recordException(error);
    span.setAttribute(ATTR_ERROR_TYPE, error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/** The span of a record that starts a trace (`mesh publish`, a saga trigger): a send span with no parent. */
export function startRootSendSpan(tracer: Tracer, input: ProduceSpanInput): StartedSpan {
  return startProduceSpan(tracer, ROOT_CONTEXT, input);
}
