// Generated from schemas/*.avsc by renderContractTypes() (src/contracts/typescript.ts). Do not edit by hand:
// UPDATE_CONTRACT_TYPES=1 npx jest packages/schema-registry/src/contracts rewrites it.
// Shapes are the decoded values (fields with defaults are always present after decoding).

/** Published periodically by every agent process on mesh.heartbeats. */
export interface AgentHeartbeat {
  /** Agent name (its consumer group id). */
  agent: string;
  /** Unique per process, stable for its lifetime. */
  instanceId: string;
  host: string;
  pid: number;
  status: AgentStatus;
  /** Epoch ms. */
  sentAt: number;
  assignedPartitions: number;
  consumerLag: number;
  openBreakers: string[];
  /** Agent build version, when known. */
  version: null | string;
  /** Topics the agent consumes (sources and its retry tiers). */
  topics: string[];
  /** Events by outcome since the process started. */
  counters: Record<string, number>;
  /** Identity of the idempotency store the process dedupes with (a random id kept in that store), so mesh dlq replay can check it uses the same store; null when not known. */
  idempotencyStore: null | string;
}

export type AgentStatus = 'STARTING' | 'READY' | 'DEGRADED' | 'STOPPING';

export type SagaCommandKind = 'EXECUTE' | 'COMPENSATE';

export type SagaErrorKind = 'TRANSIENT' | 'PERMANENT' | 'TIMEOUT';

/** One step of a saga's story, on saga.events keyed by saga id: the audit log. The last record of each transition carries the saga's whole state after it, so the last record of a saga is enough to rebuild it. */
export interface SagaEvent {
  sagaId: string;
  sagaType: string;
  type: SagaEventType;
  /** The saga's status after the transition: running, compensating, completed, compensated, compensation_failed or forward_failed. */
  status: string;
  step: null | string;
  /** execute or compensate, when the event is about a command. */
  kind: null | string;
  attempt: null | number;
  detail: null | string;
  /** The state's version after the transition. */
  version: number;
  traceId: null | string;
  /** The saga's state after the transition, as JSON, on the last record of the transition; empty on the others. */
  stateJson: string;
  occurredAt: number;
}

export type SagaEventType = 'STARTED' | 'STEP_STARTED' | 'STEP_SUCCEEDED' | 'STEP_FAILED' | 'STEP_TIMED_OUT' | 'STEP_RETRY_SCHEDULED' | 'COMPENSATING' | 'COMPENSATION_STARTED' | 'STEP_COMPENSATED' | 'COMPENSATION_FAILED' | 'COMPENSATION_RETRY_SCHEDULED' | 'COMPLETED' | 'COMPENSATED' | 'STUCK' | 'RESUMED' | 'REPLY_IGNORED';

/** A participant's answer to a saga command (execute or compensate), on saga.replies, keyed by saga id. */
export interface SagaReply {
  sagaId: string;
  sagaType: string;
  step: string;
  kind: SagaCommandKind;
  /** The command's attempt this answers; replies to attempts given up on are recorded and ignored. */
  attempt: number;
  outcome: SagaStepOutcome;
  /** The saga's data after the step, encoded with the command topic's contract (Confluent wire format); null: unchanged. */
  data: null | Buffer;
  errorKind: null | SagaErrorKind;
  error: null | string;
  repliedAt: number;
}

export type SagaStepOutcome = 'SUCCEEDED' | 'FAILED';

/** A saga that waits for an operator (mesh saga resume), on saga.stuck keyed by saga id: alert on this topic. */
export interface SagaStuck {
  sagaId: string;
  sagaType: string;
  status: SagaStuckStatus;
  step: string;
  reason: string;
  traceId: null | string;
  startedAt: number;
  stuckAt: number;
}

export type SagaStuckStatus = 'COMPENSATION_FAILED' | 'FORWARD_FAILED';

/** Value type of each topic with a registered contract (subject `<topic>-value`). */
export interface ContractsByTopic {
  'mesh.heartbeats': AgentHeartbeat;
  'saga.replies': SagaReply;
  'saga.events': SagaEvent;
  'saga.stuck': SagaStuck;
}
