// The agent SDK: what a team writes agents with and runs them by. What the other mesh packages
// share besides is in ./internal (`@agentmesh/runtime/internal`), which is not a public API.
export { defineAgent } from './agent/define';
export type { Agent, AgentContext, AgentDefinition, AgentEvent, Breaker, BreakerOptions, FallbackReason, OutputEvent } from './agent/types';
export { AgentDefinitionError, HandlerTimeoutError, InvalidInputError, InvalidOutputError, OutputTooLargeError, PermanentError } from './failure/errors';
export type { ErrorClassifier, FailureKind } from './failure/classify';
export type { RetryPolicy } from './failure/decide';
export { readFailureEnvelope, type FailureEnvelope, type FailureRecord } from './failure/envelope';
export { Header, type Headers } from './events/headers';
export { deriveEventId, newEventId } from './events/ids';
export type { EventCodec } from './codec/codec';
export { RegistryCodec, valueSubject, type RegistryCodecOptions, type TopicSchema } from './codec/registry-codec';
export { JsonCodec } from './codec/json-codec';
export { EncodeError, SchemaNotFoundError, SchemaRegistryUnavailableError, UnsupportedSchemaError, type FieldProblem } from './codec/errors';
export type { ClaimResult, IdempotencyStore, Outcome } from './idempotency/store';
export { openIdempotencyStore, type OpenIdempotencyStoreOptions } from './idempotency/open';
export { StoreCommandError, StoreConfigError, StoreError, StoreUnavailableError, type StoreName } from './redis/errors';
export { MemoryKeyBarrier, RedisKeyBarrier, type BarrierPosition, type KeyBarrier } from './ordering/key-barrier';
export { createLogger, type CreateLoggerOptions } from './observability/logger';
export type { WorkerMetrics } from './observability/metrics';
export type { ReadinessCheckResult } from './observability/readiness';
export { setupTracing, type Tracing, type TracingOptions } from './observability/tracing-setup';
export { startWorker, type RunningWorker, type WorkerOptions } from './worker/worker';
export { DEFAULT_RESOURCE_WATERMARKS, type ResourceWatermarks } from './resilience/resource-watermark';
export { dlqTopic, retryTopic } from './worker/topics';
export { runAgent, type RunAgentOptions, type RunningAgent } from './run/run-agent';
