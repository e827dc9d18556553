/** Observability for agent and coordinator processes: metrics, health/readiness, traces, logs. */
export type { EventOutcomeLabel, WorkerMetrics } from './metrics';
export {
  BreakerStateValue,
  createMetricsRegistry,
  DEFAULT_HANDLER_DURATION_BUCKETS,
  METRIC_PREFIX,
  NoopWorkerMetrics,
  PrometheusWorkerMetrics,
  WorkerMetricName,
  type BreakerStateLabel,
  type MetricsRegistryOptions,
  type PrometheusWorkerMetricsOptions,
} from './prometheus-metrics';
export {
  DEFAULT_READINESS_CHECK_TIMEOUT_MS,
  readinessFromChecks,
  ReadinessTimeoutError,
  runReadinessCheck,
  runReadinessChecks,
  type ReadinessCheck,
  type ReadinessCheckResult,
  type ReadinessChecks,
  type ReadinessProbe,
  type ReadinessReport,
} from './readiness';
export {
  ObservabilityServerError,
  startObservabilityServer,
  type ObservabilityServer,
  type ObservabilityServerOptions,
} from './http-server';
export {
  endSpan,
  extractTraceContext,
  injectTraceHeaders,
  MeshAttribute,
  MessagingAttribute,
  otlpTracesUrlFor,
  setupTracing,
  startConsumeSpan,
  startHandleSpan,
  startProduceSpan,
  traceIdFromTraceparent,
  type ConsumeSpanInput,
  type HandleSpanInput,
  type ProduceSpanInput,
  type SpanEnding,
  type StartedSpan,
  type TraceExporterKind,
  type Tracing,
  type TracingOptions,
} from './tracing';
export {
  createLogger,
  DEFAULT_REDACT_PATHS,
  eventLogFields,
  REDACTED,
  redactUrl,
  type CreateLoggerOptions,
  type EventLogFields,
  type Logger,
  type LoggableEvent,
} from './logger';
