// Shared by the mesh's own packages (coordinator, CLI, examples): not a public API, and it may
// change in any release. What agents are written with is in ./index.
export { buildFailureHeaders, describeError as describeFailure, type FailureHeadersInput } from './failure/envelope';
export { headersToStrings } from './events/headers';
export { decodeSoon, encodeSoon, NOT_READY, type ImmediateCodec } from './codec/codec';
export { backoffDelayMs } from './resilience/backoff';
export { loadAgentModule } from './run/load-agent';
export { waitBounded } from './run/wait-bounded';

// Kafka: the client, the supervised consumer and the batch producer every mesh process runs on.
export { createKafkaClient, idempotentProducer, type KafkaClientOptions } from './kafka/client';
export { BatchProducer, type BatchProducerOptions, type OutboundRecord } from './kafka/batch-producer';
export { DEFAULT_SESSION_TIMEOUT_MS, SupervisedConsumer, type BatchScope, type CheckResult, type SupervisedConsumerHooks, type SupervisedConsumerSettings } from './kafka/supervised-consumer';
export { committableThrough } from './kafka/commit-prefix';
export { recordBytes, RecordTooLargeError, type SizedRecord } from './kafka/record-size';

// Redis, HTTP endpoints, metrics, trace context.
export { closeRedisConnection, createRedisConnection, LuaScript, RedisSession, redactRedisUrl, type RedisConnectionOptions } from './redis/connection';
export { FENCED_REPLY } from './activity/lease-store';
export { startObservabilityServer, type ObservabilityServer, type ObservabilityServerOptions } from './observability/http-server';
export type { ReadinessChecks } from './observability/readiness';
export { createMetricsRegistry } from './observability/prometheus-metrics';
export { extractTraceContext, injectTraceHeaders, traceIdFromTraceparent } from './observability/propagation';
export { endSpan, startRootSendSpan } from './observability/spans';
export { HEARTBEAT_TOPIC, HeartbeatPublisher, type HeartbeatRecord, type WorkerSnapshot } from './worker/heartbeat';
export { percentile, type LatencySummary } from './worker/latency-window';
export type { MeshAlert, MeshAlertState } from './contracts/mesh-contracts.generated';
export { ALERT_RULES, PROMETHEUS_ALERT_RULES, type AlertRule, type FleetCondition, type FleetMeasure } from './observability/alert-rules';
export { CONTROL_TOPIC, CONTROL_TOPIC_SPEC, ANY_BREAKER, HANDLER_TARGET, type ControlRecord } from './chaos';
export { registryAuthorizationHeader, registryClientAuth } from './codec/registry-auth';
export { baseVariable, CONNECTION_VARIABLE_NAMES, fileVariable, isSecretVariable } from './connection/variables';
export { planAgentAcls, chaosGroupPrefix, type AgentAclOptions } from './acl/agent-plan';
export { AclPlanBuilder, AclPlanError, checkPrincipal, CLUSTER_RESOURCE_NAME, type AclOperationName, type AclPatternType, type AclPlan, type AclResourceType, type PlannedAcl } from './acl/plan';
