import { readFileSync } from 'node:fs';
import { context as contextApi, isSpanContextValid, propagation, TraceFlags, trace, type Attributes, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import type { OTLPTraceExporter as OtlpTraceExporterClass } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, InMemorySpanExporter, NodeTracerProvider, RandomIdGenerator, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ConnectionConfigError } from '../connection/errors';
import { parseOtlpHeaders } from '../connection/parse';

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
  /**
   * Headers of every OTLP request (an API key). Default: the exporter reads OTEL_EXPORTER_OTLP_HEADERS
   * itself; OTEL_EXPORTER_OTLP_HEADERS_FILE (a mounted Secret) is read here.
   */
  otlpHeaders?: Record<string, string>;
  /** Read instead of process.env (tests). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface Tracing {
  /** Records spans when the exporter is not 'none'; ask `isRecording(tracer)` rather than the exporter. */
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

/** OTLP headers from the file OTEL_EXPORTER_OTLP_HEADERS_FILE names, when it is set. */
function otlpHeadersFromFile(env: Readonly<Record<string, string | undefined>>): Record<string, string> | undefined {
  const path = nonEmpty(env.OTEL_EXPORTER_OTLP_HEADERS_FILE);
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path.trim(), 'utf8');
  } catch {
    throw new ConnectionConfigError(`OTEL_EXPORTER_OTLP_HEADERS_FILE: ${path.trim()} cannot be read`);
  }
  return parseOtlpHeaders(text.trim());
}
const TRACER_NAME = '@agentmesh/runtime';

export function setupTracing(options: TracingOptions): Tracing {
  const env = options.env ?? process.env;
  const configuredEndpoint = nonEmpty(options.otlpEndpoint) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const signalEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const sdkDisabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const kind: TraceExporterKind = options.exporter ?? (!sdkDisabled && (configuredEndpoint ?? signalEndpoint) ? 'otlp' : 'none');

  let processor: SpanProcessor | undefined;
  let memoryExporter: InMemorySpanExporter | undefined;
  let otlpTracesUrl: string | undefined;
  switch (kind) {
    case 'otlp': {
      // The signal-specific variable is a full URL by the OTel spec; the generic one is a base.
      otlpTracesUrl = configuredEndpoint !== undefined || signalEndpoint === undefined ? otlpTracesUrlFor(configuredEndpoint ?? DEFAULT_OTLP_ENDPOINT) : signalEndpoint;
      // Loaded only when exporting: the OTLP exporter and its protobuf stack slow the start-up of
      // every `mesh` command and of every agent that has no endpoint.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the lazy load above
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as { OTLPTraceExporter: typeof OtlpTraceExporterClass };
      const headers = options.otlpHeaders ?? otlpHeadersFromFile(env);
      processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl, ...(headers ? { headers } : {}) }));
      break;
    }
    case 'memory':
      memoryExporter = new InMemorySpanExporter();
      processor = new SimpleSpanProcessor(memoryExporter);
      break;
    case 'none':
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
    // Spans are recorded only when there is somewhere to send them; otherwise the tracer still gives
    // real ids, so trace ids keep flowing through headers and logs.
    tracer: processor ? provider.getTracer(TRACER_NAME) : new NonRecordingTracer(),
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
 * Whether spans from `tracer` keep what is put on them: the one test of whether spans and their
 * attributes are worth making. False only for the tracer `setupTracing` hands out when there is no
 * exporter; any other tracer (an SDK's, the global one, a caller's own) is taken to record.
 */
export function isRecording(tracer: Tracer): boolean {
  return !(tracer instanceof NonRecordingTracer);
}

/**
 * The tracer of a process with nothing to export. Its spans record nothing but have real ids: a
 * child keeps its parent's trace id and sampled flag, a root gets a new sampled trace (as the SDK's
 * default sampler would decide), so `traceparent` headers and log trace ids are what they would be
 * with an exporter.
 */
class NonRecordingTracer implements Tracer {
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

/** `${base}/v1/traces`, tolerant of a trailing slash on the base. */
export function otlpTracesUrlFor(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
