import { deriveEventId, Header, type Headers } from '@agentmesh/runtime';
import { buildFailureHeaders } from '@agentmesh/runtime/internal';
import { traceRowOf, type TraceRow } from '../../src/journey/trace-row';

/** Records as the mesh writes them, with the runtime's own header builders, for the journey tests. */

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

export function row(topic: string, partition: number, offset: number, timestamp: number, headers: Headers, key: string | null = 'order-1'): TraceRow {
  return traceRowOf({ topic, partition, offset: String(offset), timestamp, key, headers });
}

/** An agent's output of `input` (the worker's prepareOutputs rule). */
export function outputHeaders(input: Headers, agent: string, topic: string, index = 0, extra: Headers = {}): Headers {
  const inputId = input[Header.eventId]!;
  return {
    ...extra,
    [Header.traceparent]: TRACEPARENT,
    [Header.eventId]: deriveEventId(inputId, `${agent}/${topic}`, index),
    [Header.correlationId]: input[Header.correlationId] ?? inputId,
    [Header.causationId]: inputId,
  };
}

/** The retry or DLQ record of `input` that `agent` writes after a failed delivery. */
export function failureHeaders(input: Headers, agent: string, attempt: number, kind: 'transient' | 'permanent', message: string, now: number, dueAt?: number): Headers {
  return buildFailureHeaders({
    incoming: input,
    agent,
    attempt,
    kind,
    error: { errorClass: kind === 'permanent' ? 'PermanentError' : 'Error', message, stack: '' },
    consumedFrom: { topic: 'orders', partition: 0, offset: '0', timestamp: '1000' },
    now,
    ...(dueAt !== undefined ? { dueAt } : {}),
  });
}

export const ROOT_ID = '0b7f2a52-5c1e-4a8e-9d36-6b0d3b1a2c11';
export const rootHeaders: Headers = { [Header.eventId]: ROOT_ID, [Header.correlationId]: ROOT_ID, [Header.traceparent]: TRACEPARENT };

/**
 * A published order: `intake` fails it once and succeeds on its retry; `audit` handles it at once;
 * intake's output is dead-lettered by `checker` and degraded by `enricher`.
 */
export function pipelineRows(): TraceRow[] {
  const mid = outputHeaders(rootHeaders, 'intake', 'orders.accepted');
  return [
    row('orders', 0, 0, 1_000, rootHeaders),
    row('intake.retry.0', 0, 0, 1_010, failureHeaders(rootHeaders, 'intake', 1, 'transient', 'erp timed out', 1_010, 1_110)),
    row('orders.audited', 0, 0, 1_015, outputHeaders(rootHeaders, 'audit', 'orders.audited')),
    row('orders.accepted', 1, 0, 1_120, mid),
    row('checker.dlq', 0, 0, 1_130, failureHeaders(mid, 'checker', 1, 'permanent', 'no customer', 1_130)),
    row('orders.enriched', 2, 5, 1_140, outputHeaders(mid, 'enricher', 'orders.enriched', 0, { [Header.degraded]: 'true', [Header.degradedReason]: 'permanent: crm down' })),
  ];
}

export const SAGA_ID = 'c4a1d7e0-9b1f-8a2c-b3d4-e5f6a7b8c9d0';

/** A signup trigger, the coordinator's command to `users`, its reply, and the saga's stuck notice. */
export function sagaRows(): TraceRow[] {
  const trigger: Headers = { [Header.eventId]: 'trigger-1', [Header.correlationId]: 'trigger-1', [Header.traceparent]: TRACEPARENT };
  const command: Headers = {
    [Header.eventId]: deriveEventId(`saga:${SAGA_ID}`, 'create-user/execute', 1),
    [Header.correlationId]: 'trigger-1',
    [Header.causationId]: 'trigger-1',
    [Header.sagaId]: SAGA_ID,
    [Header.sagaType]: 'account-signup',
    [Header.sagaStep]: 'create-user',
    [Header.sagaKind]: 'execute',
    [Header.sagaAttempt]: '1',
    [Header.sagaDeadlineAt]: '30000',
    [Header.sagaCoordinator]: 'mesh-coordinator',
    [Header.traceparent]: TRACEPARENT,
  };
  const reply = outputHeaders(command, 'users', 'saga.replies', 0, { [Header.sagaId]: SAGA_ID, [Header.sagaStep]: 'create-user', [Header.sagaCoordinator]: 'mesh-coordinator' });
  const replied = row('saga.replies', 3, 0, 25, reply, SAGA_ID);
  replied.reply = { outcome: 'FAILED', errorKind: 'PERMANENT', error: 'email taken' };
  return [
    row('accounts.signups', 0, 0, 0, trigger),
    row('users.create', 0, 0, 10, command, SAGA_ID),
    replied,
    row('saga.stuck', 0, 0, 40, { [Header.eventId]: 'stuck-1', [Header.sagaId]: SAGA_ID }, SAGA_ID),
  ];
}
