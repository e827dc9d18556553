// The agent SDK: what a team writes agents with and runs them by. What the other mesh packages
// share besides is in ./internal (`@agentmesh/runtime/internal`), which is not a public API.
export { defineAgent } from './agent/define';
export type { Agent, AgentContext, AgentDefinition, AgentEvent, AgentInstances, Breaker, BreakerOptions, FallbackReason, OutputAlternative, OutputChecks, OutputEvent } from './agent/types';
export { DuplicateStepError, StepTimeoutError } from './journal/step-journal';
export type { StepOptions } from './journal/step-options';
export {
  AgentDefinitionError,
  HandlerTimeoutError,
  InvalidInputError,
  InvalidOutputError,
  InvalidOutputsError,
  OutputRefusedError,
  OutputTooLargeError,
  PermanentError,
  type FailedOutput,
} from './failure/errors';
export type { ErrorClassifier, FailureKind } from './failure/classify';
export type { RetryPolicy } from './failure/decide';
export { readFailureEnvelope, type FailureEnvelope, type FailureRecord } from './failure/envelope';
export { Header, type Headers } from './events/headers';
export { deriveEventId, newEventId } from './events/ids';
export type { EventCodec } from './codec/codec';
export { RegistryCodec, valueSubject, type RegistryCodecOptions, type TopicSchema } from './codec/registry-codec';
export { JsonCodec } from './codec/json-codec';
export { EncodeError, SchemaNotFoundError, SchemaRegistryAuthError, SchemaRegistryUnavailableError, UnsupportedSchemaError, type FieldProblem } from './codec/errors';
export type { ClaimResult, IdempotencyStore, Outcome } from './idempotency/store';
export { openIdempotencyStore, type OpenIdempotencyStoreOptions } from './idempotency/open';
export { StoreCommandError, StoreConfigError, StoreError, StoreUnavailableError, type StoreName } from './redis/errors';
export { MemoryKeyBarrier, RedisKeyBarrier, type BarrierPosition, type KeyBarrier } from './ordering/key-barrier';
export type { AgentStateHandle } from './state/handle';
export type { AgentStateStore, AgentStateStoreOptions, LoadedState, LoadStateOptions, SavedState } from './state/store';
export type { StateVersionInfo } from './state/record';
export { AgentStateCorruptError, AgentStateValueError, AgentStateVersionError, InvalidStateKeyError, type SkippedStateVersion, type StateVersionProblem } from './state/errors';
export { MemoryAgentStateStore } from './state/memory-store';
export { RedisAgentStateStore, type RedisAgentStateStoreOptions } from './state/redis-store';
export { openAgentStateStore, type OpenAgentStateStoreOptions } from './state/open';
export { DEFAULT_STATE_KEY_PREFIX } from './state/keys';
export { createLogger, type CreateLoggerOptions } from './observability/logger';
export type { WorkerMetrics } from './observability/metrics';
export type { ReadinessCheckResult } from './observability/readiness';
export { setupTracing, type Tracing, type TracingOptions } from './observability/tracing-setup';
export { startWorker, type RunningWorker, type WorkerOptions } from './worker/worker';
export type { Scheduler } from './kafka/timers';
export { FencedError, type ActiveLeaseStore, type LeaseHolder, type StoreFence } from './activity/lease-store';
export type { WriteFence } from './activity/fenced-stores';
export type { LeaseTiming } from './activity/lease-state';
export { MemoryActiveLeaseStore } from './activity/memory-lease-store';
export { RedisActiveLeaseStore, type RedisActiveLeaseStoreOptions } from './activity/redis-lease-store';
export { DEFAULT_LEASE_TIMING } from './worker/one-active';
export { DEFAULT_RESOURCE_WATERMARKS, type ResourceWatermarks } from './resilience/resource-watermark';
export { dlqTopic, retryTopic } from './worker/topics';
export { runAgent, type RunAgentOptions, type RunningAgent } from './run/run-agent';
export { ConnectionConfigError } from './connection/errors';
export { CONNECTION_VARIABLES, type ConnectionVariable } from './connection/variables';
export { parseConnectionSettings, type Environment, type ReadTextFile } from './connection/parse';
export { connectionSettingsFromEnv, kafkaSecurityFromSettings, oauthBearerProviderFor } from './connection/from-env';
export { describeKafkaSecurity, kafkaSecurityConfig, type OAuthBearerProvider } from './connection/kafka-config';
export { kafkaSecurityHint } from './connection/explain';
export { agentConnectionOptions, type AgentConnectionOptions } from './connection/agent-options';
export type {
  ConnectionSettings,
  KafkaConnectionSettings,
  KafkaSaslSettings,
  KafkaTlsSettings,
  OAuthBearerSource,
  RegistryAuth,
  RegistryConnectionSettings,
  SaslMechanismName,
  SecurityProtocol,
} from './connection/settings';
