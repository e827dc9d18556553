// A narrower part of ./internal, for the mesh's own readers of the fleet (`mesh status`, the console): only modules that
// load nothing beyond kafkajs. Not the worker, Redis, tracing, prom-client or the registry client, which a one-shot
// status would pay for at every start. Not a public API, and it may change in any release.
export { connectionSettingsFromEnv, kafkaSecurityFromSettings } from './connection/from-env';
export { describeKafkaSecurity } from './connection/kafka-config';
export { kafkaSecurityHint } from './connection/explain';
export type { ConnectionSettings, RegistryAuth } from './connection/settings';
export { baseVariable, fileVariable, isSecretVariable } from './connection/variables';
export { redactRedisUrl } from './redis/redact-url';
export { hasPendingWork } from '@agentmesh/kafkajs-paths';

export type { EventCodec } from './codec/codec';
export { JsonCodec } from './codec/json-codec';
export { SchemaNotFoundError, SchemaRegistryUnavailableError } from './codec/errors';

export { Header, type Headers } from './events/headers';
export { deriveEventId } from './events/ids';
export type { FailureKind } from './failure/classify';
export { readFailureEnvelope, type FailureRecord } from './failure/envelope';
export { dlqTopic } from './worker/topics';

export { HEARTBEAT_TOPIC, type HeartbeatRecord } from './worker/heartbeat';
export { percentile } from './worker/latency-window';
export type { MeshAlert } from './contracts/mesh-contracts.generated';
export { ALERT_RULES, type AlertRule, type FleetMeasure } from './observability/alert-rules';
