/** Header names that are part of agentmesh's interface (see docs/architecture.md). All values are strings. */
export const Header = {
  eventId: 'mesh-event-id',
  correlationId: 'mesh-correlation-id',
  causationId: 'mesh-causation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  attempt: 'mesh-attempt',
  dueAt: 'mesh-due-at',
  agent: 'mesh-agent',
  originalTopic: 'mesh-original-topic',
  originalPartition: 'mesh-original-partition',
  originalOffset: 'mesh-original-offset',
  originalTimestamp: 'mesh-original-timestamp',
  firstFailedAt: 'mesh-first-failed-at',
  errorKind: 'mesh-error-kind',
  errorClass: 'mesh-error-class',
  errorMessage: 'mesh-error-message',
  errorStack: 'mesh-error-stack',
  failureHistory: 'mesh-failure-history',
  degraded: 'mesh-degraded',
  degradedReason: 'mesh-degraded-reason',
  replay: 'mesh-replay',
  /** On a record diverted behind an earlier event of its key that is in retry (per-key ordering). */
  parked: 'mesh-parked',
  sagaId: 'mesh-saga-id',
  sagaStep: 'mesh-saga-step',
  /** On saga commands: the saga's type, `execute` or `compensate`, the attempt, and the reply deadline (epoch ms). */
  sagaType: 'mesh-saga-type',
  sagaKind: 'mesh-saga-kind',
  sagaAttempt: 'mesh-saga-attempt',
  sagaDeadlineAt: 'mesh-saga-deadline-at',
  /**
   * On saga commands and their replies: the coordinator deployment (its consumer group) that sent the command.
   * Deployments sharing saga.replies leave each other's replies alone.
   */
  sagaCoordinator: 'mesh-saga-coordinator',
} as const;

export type Headers = Record<string, string>;

/** kafkajs hands headers as Buffers (or arrays of them); the mesh's are single strings. */
export function headersToStrings(raw: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Headers {
  const out: Headers = {};
  if (!raw) return out;
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[k] = last.toString();
  }
  return out;
}
