import type { Producer } from 'kafkajs';
import { deriveEventId, Header, InvalidInputError, type EventCodec } from '@agentmesh/runtime';
import type { SagaSignal } from '../saga/state';
import { SAGA_SIGNALS_TOPIC } from './topics';

/** A signal as it travels on saga.signals (the shape of schemas/mesh/saga-signal.avsc). */
export interface SagaSignalRecord {
  sagaId: string;
  step: string;
  decision: 'APPROVE' | 'REJECT';
  /** A JSON object, as text. */
  value: string | null;
  reason: string | null;
  signalledAt: number;
}

/** What `signalSaga` sends. */
export interface SignalRequest {
  sagaId: string;
  step: string;
  decision: 'approve' | 'reject';
  /** Merged into the saga's data when the signal is applied. */
  value?: Record<string, unknown>;
  reason?: string;
  /** The signal's id; default derived from saga, step and decision, so sending the same decision twice is one signal. */
  signalId?: string;
}

/** The default id of a signal: the same decision on the same step of the same saga is the same signal. */
export function signalIdFor(sagaId: string, step: string, decision: SignalRequest['decision']): string {
  return deriveEventId(`signal:${sagaId}`, `${step}/${decision}`, 0);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `value` text of a signal as an object; anything else is invalid input. */
export function parseSignalValue(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`the signal's value is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isPlainObject(value)) throw new InvalidInputError('the signal\'s value must be a JSON object (its fields are merged into the saga\'s data), e.g. {"approvedBy":"ann"}');
  return value;
}

/** Checks a decoded saga.signals value; a value that is not a signal is invalid input (it goes to the coordinator's DLQ). */
export function parseSignalRecord(value: unknown): SagaSignalRecord {
  const v = (isPlainObject(value) ? value : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['sagaId', 'step'] as const) if (typeof v[field] !== 'string' || v[field] === '') problems.push(`${field} must be a non-empty string`);
  if (v.decision !== 'APPROVE' && v.decision !== 'REJECT') problems.push('decision must be APPROVE or REJECT');
  const text = (field: string) => {
    const x = v[field] ?? null;
    if (x !== null && typeof x !== 'string') problems.push(`${field} must be a string or null`);
    return typeof x === 'string' ? x : null;
  };
  const signalValue = text('value');
  const reason = text('reason');
  if (problems.length > 0) throw new InvalidInputError(`not a saga signal: ${problems.join('; ')}`);
  if (signalValue !== null) parseSignalValue(signalValue);
  return { sagaId: v.sagaId as string, step: v.step as string, decision: v.decision as SagaSignalRecord['decision'], value: signalValue, reason, signalledAt: Number(v.signalledAt ?? 0) };
}

/** A signal record as the saga's transitions take it: `id` its mesh-event-id, `at` when it reached Kafka. */
export function toSagaSignal(record: SagaSignalRecord, id: string, at: number): SagaSignal {
  return {
    id,
    step: record.step,
    decision: record.decision === 'APPROVE' ? 'approve' : 'reject',
    ...(record.value !== null ? { value: parseSignalValue(record.value) } : {}),
    ...(record.reason !== null ? { reason: record.reason } : {}),
    at,
  };
}

/** The saga.signals record of a request: keyed by saga id, named by its signal id. */
export async function signalRecord(codec: EventCodec, request: SignalRequest, now: number): Promise<{ id: string; key: string; value: Buffer; headers: Record<string, string> }> {
  const id = request.signalId ?? signalIdFor(request.sagaId, request.step, request.decision);
  const record: SagaSignalRecord = {
    sagaId: request.sagaId,
    step: request.step,
    decision: request.decision === 'approve' ? 'APPROVE' : 'REJECT',
    value: request.value === undefined ? null : JSON.stringify(request.value),
    reason: request.reason ?? null,
    signalledAt: now,
  };
  const value = await codec.encode(SAGA_SIGNALS_TOPIC, record);
  return { id, key: request.sagaId, value, headers: { [Header.eventId]: id, [Header.correlationId]: id, [Header.sagaId]: request.sagaId, [Header.sagaStep]: request.step } };
}

/**
 * Approves or rejects a saga's wait step from code: publishes the signal on saga.signals (encoded by `codec`,
 * the registry's for Avro). The coordinator applies it if the saga waits on that step, else records it and
 * ignores it. Returns the signal's id.
 */
export async function signalSaga(producer: Pick<Producer, 'send'>, codec: EventCodec, request: SignalRequest, now: number = Date.now()): Promise<string> {
  if (request.value !== undefined && !isPlainObject(request.value)) throw new InvalidInputError("the signal's value must be an object (its fields are merged into the saga's data)");
  const record = await signalRecord(codec, request, now);
  await producer.send({ topic: SAGA_SIGNALS_TOPIC, messages: [{ key: record.key, value: record.value, headers: record.headers }] });
  return record.id;
}
