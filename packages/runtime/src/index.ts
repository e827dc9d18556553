// Before anything below loads kafkajs (see kafkajs/install.ts).
import './kafkajs/preload';

export { defineAgent } from './agent/define';
export type { Agent, AgentContext, AgentDefinition, AgentEvent, Breaker, BreakerOptions, FallbackReason, OutputEvent } from './agent/types';
export { AgentDefinitionError, HandlerTimeoutError, InvalidInputError, InvalidOutputError, OutputTooLargeError, PermanentError } from './failure/errors';
export type { ErrorClassifier, FailureKind } from './failure/classify';
export type { RetryPolicy } from './failure/decide';
export { buildFailureHeaders, describeError as describeFailure, readFailureEnvelope, type FailureEnvelope, type FailureHeadersInput, type FailureRecord } from './failure/envelope';
export { Header, headersToStrings, type Headers } from './events/headers';
export { deriveEventId, newEventId } from './events/ids';
export { NOT_READY, type EventCodec } from './codec/codec';
export { RegistryCodec, valueSubject, type RegistryCodecOptions, type TopicSchema } from './codec/registry-codec';
export { JsonCodec } from './codec/json-codec';
export { EncodeError, SchemaNotFoundError, SchemaRegistryUnavailableError, UnsupportedSchemaError, type FieldProblem } from './codec/errors';
export type { ClaimResult, IdempotencyStore, Outcome } from './idempotency/store';
export { openIdempotencyStore, type OpenIdempotencyStoreOptions } from './idempotency/open';
export { createLogger, type CreateLoggerOptions } from './observability/logger';
export type { WorkerMetrics } from './observability/metrics';
export { startWorker, type RunningWorker, type WorkerOptions } from './worker/worker';
export { dlqTopic, retryTopic } from './worker/topics';
export { runAgent, type RunAgentOptions, type RunningAgent } from './run/run-agent';
export { loadAgentModule } from './run/load-agent';
export { waitBounded } from './run/wait-bounded';
export { setupTracing, type Tracing, type TracingOptions } from './observability/tracing-setup';
export { endSpan, startRootSendSpan } from './observability/spans';
export { traceIdFromTraceparent } from './observability/propagation';
export { MemoryKeyBarrier, RedisKeyBarrier, type BarrierPosition, type KeyBarrier } from './ordering/key-barrier';

// Building blocks shared with the other mesh services (the saga coordinator): Redis, HTTP endpoints, metrics, trace context.
export { closeRedisConnection, createRedisConnection, LuaScript, RedisSession, redactRedisUrl, type RedisConnectionOptions } from './redis/connection';
export { StoreCommandError, StoreConfigError, StoreError, StoreUnavailableError, type StoreName } from './redis/errors';
export { startObservabilityServer, type ObservabilityServer, type ObservabilityServerOptions } from './observability/http-server';
export type { ReadinessCheckResult, ReadinessChecks } from './observability/readiness';
export { createMetricsRegistry } from './observability/prometheus-metrics';
export { extractTraceContext, injectTraceHeaders } from './observability/propagation';
export { installFastKafkajs, type FastKafkajsStatus, type InstallStatus } from './kafkajs/install';
export { recordBytes, type SizedRecord } from './kafka/record-size';
export { BatchProducer, type BatchProducerOptions, type OutboundRecord } from './kafka/batch-producer';
export { RecordTooLargeError } from './kafka/record-size';
export { createKafkaClient, idempotentProducer, type KafkaClientOptions } from './kafka/client';
export { SupervisedConsumer, type BatchScope, type SupervisedConsumerHooks, type SupervisedConsumerSettings } from './kafka/supervised-consumer';
