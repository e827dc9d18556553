import { Header, InvalidInputError, type Headers } from '@agentmesh/runtime';
import type { CommandKind, ReplyInput, StepErrorKind } from '../saga/state';
import type { Saga } from '../saga/types';

/** A participant's answer as it travels on saga.replies (the shape of schemas/mesh/saga-reply.avsc). */
export interface SagaReplyRecord {
  sagaId: string;
  sagaType: string;
  step: string;
  kind: 'EXECUTE' | 'COMPENSATE';
  attempt: number;
  outcome: 'SUCCEEDED' | 'FAILED';
  /** The saga's data after the step, in the command topic's encoding; null: unchanged. */
  data: Buffer | null;
  errorKind: 'TRANSIENT' | 'PERMANENT' | 'TIMEOUT' | null;
  error: string | null;
  repliedAt: number;
}

/** What a command's headers say about the saga it belongs to. */
export interface SagaCommandEnvelope {
  sagaId: string;
  sagaType: string;
  step: string;
  kind: CommandKind;
  attempt: number;
  deadlineAt: number;
  /** The coordinator deployment (consumer group) that sent it; its replies say so too. */
  coordinator?: string;
}

export function commandHeaders(envelope: SagaCommandEnvelope): Headers {
  return {
    [Header.sagaId]: envelope.sagaId,
    [Header.sagaType]: envelope.sagaType,
    [Header.sagaStep]: envelope.step,
    [Header.sagaKind]: envelope.kind,
    [Header.sagaAttempt]: String(envelope.attempt),
    [Header.sagaDeadlineAt]: String(envelope.deadlineAt),
    ...(envelope.coordinator !== undefined ? { [Header.sagaCoordinator]: envelope.coordinator } : {}),
  };
}

/** The saga envelope of a command, or undefined when the record is not a saga command. */
export function readCommandEnvelope(headers: Readonly<Headers>): SagaCommandEnvelope | undefined {
  const sagaId = headers[Header.sagaId];
  const sagaType = headers[Header.sagaType];
  const step = headers[Header.sagaStep];
  const kind = headers[Header.sagaKind];
  const attempt = Number(headers[Header.sagaAttempt]);
  const deadlineAt = Number(headers[Header.sagaDeadlineAt] ?? 0);
  if (!sagaId || !sagaType || !step || (kind !== 'execute' && kind !== 'compensate') || !Number.isInteger(attempt) || attempt < 1) return undefined;
  const coordinator = headers[Header.sagaCoordinator];
  return { sagaId, sagaType, step, kind, attempt, deadlineAt: Number.isFinite(deadlineAt) ? deadlineAt : 0, ...(coordinator ? { coordinator } : {}) };
}

export const wireKind = (kind: CommandKind): SagaReplyRecord['kind'] => (kind === 'execute' ? 'EXECUTE' : 'COMPENSATE');
export const wireErrorKind = (kind: StepErrorKind): NonNullable<SagaReplyRecord['errorKind']> => (kind === 'permanent' ? 'PERMANENT' : kind === 'timeout' ? 'TIMEOUT' : 'TRANSIENT');

/** Bytes as Avro gives them (Buffer), or as JSON round-trips them ({type:'Buffer',data}) or base64 text. */
function toBuffer(value: unknown): Buffer | null | undefined {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  const json = value as { type?: unknown; data?: unknown };
  if (json.type === 'Buffer' && Array.isArray(json.data)) return Buffer.from(json.data as number[]);
  return undefined;
}

/** Checks a decoded saga.replies value; a value that is not a reply is invalid input (it goes to the coordinator's DLQ). */
export function parseReply(value: unknown): SagaReplyRecord {
  const v = (value ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  const text = (field: string) => {
    if (typeof v[field] !== 'string' || v[field] === '') problems.push(`${field} must be a non-empty string`);
    return v[field] as string;
  };
  const sagaId = text('sagaId');
  const sagaType = text('sagaType');
  const step = text('step');
  if (v.kind !== 'EXECUTE' && v.kind !== 'COMPENSATE') problems.push('kind must be EXECUTE or COMPENSATE');
  if (v.outcome !== 'SUCCEEDED' && v.outcome !== 'FAILED') problems.push('outcome must be SUCCEEDED or FAILED');
  const attempt = Number(v.attempt);
  if (!Number.isInteger(attempt) || attempt < 1) problems.push('attempt must be a whole number >= 1');
  const data = toBuffer(v.data);
  if (data === undefined) problems.push('data must be bytes or null');
  const errorKind = v.errorKind ?? null;
  if (errorKind !== null && errorKind !== 'TRANSIENT' && errorKind !== 'PERMANENT' && errorKind !== 'TIMEOUT') problems.push('errorKind must be TRANSIENT, PERMANENT, TIMEOUT or null');
  if (problems.length > 0) throw new InvalidInputError(`not a saga reply: ${problems.join('; ')}`);
  return {
    sagaId,
    sagaType,
    step,
    kind: v.kind as SagaReplyRecord['kind'],
    attempt,
    outcome: v.outcome as SagaReplyRecord['outcome'],
    data: data ?? null,
    errorKind: errorKind as SagaReplyRecord['errorKind'],
    error: typeof v.error === 'string' ? v.error : null,
    repliedAt: Number(v.repliedAt ?? 0),
  };
}

/** A reply as the saga's transitions take it: its data, if any, is in the encoding of the step's command topic. */
export function toReplyInput(saga: Saga | undefined, reply: SagaReplyRecord): ReplyInput {
  const step = saga?.steps.find((s) => s.name === reply.step);
  return {
    type: 'reply',
    step: reply.step,
    kind: reply.kind === 'EXECUTE' ? 'execute' : 'compensate',
    attempt: reply.attempt,
    outcome: reply.outcome === 'SUCCEEDED' ? 'succeeded' : 'failed',
    ...(reply.data && step?.command !== undefined ? { data: { topic: step.command, bytes: reply.data.toString('base64') } } : {}),
    ...(reply.errorKind ? { errorKind: reply.errorKind === 'PERMANENT' ? 'permanent' : reply.errorKind === 'TIMEOUT' ? 'timeout' : 'transient' } : {}),
    ...(reply.error ? { error: reply.error } : {}),
  };
}
