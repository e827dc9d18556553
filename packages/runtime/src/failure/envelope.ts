import { Header, type Headers } from '../events/headers';
import type { FailureKind } from './classify';

/** One failed delivery, as kept in `mesh-failure-history`. */
export interface FailureRecord {
  attempt: number;
  at: number;
  kind: FailureKind;
  errorClass: string;
  message: string;
  agent: string;
  /** An invalid-output failure's candidates: who made it (`handler` or an alternative's name) and its outputs, cut short. */
  by?: string;
  output?: string;
}

/** Where a failing event came from: the record as the agent first consumed it. */
export interface EventOrigin {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
}

/** The failure story carried by retry and DLQ records. */
export interface FailureEnvelope {
  agent: string;
  attempt: number;
  origin: EventOrigin;
  firstFailedAt: number;
  kind: FailureKind;
  errorClass: string;
  errorMessage: string;
  errorStack: string;
  history: FailureRecord[];
  dueAt?: number;
}

/** Header values must stay well under Kafka's message size; stacks and histories are cut to these. */
const MAX_STACK_CHARS = 4_000;
const MAX_MESSAGE_CHARS = 1_000;
const MAX_HISTORY = 50;

export interface DescribedError {
  errorClass: string;
  message: string;
  stack: string;
}

export function describeError(error: unknown): DescribedError {
  if (error instanceof Error) {
    return { errorClass: error.name || error.constructor.name, message: error.message.slice(0, MAX_MESSAGE_CHARS), stack: (error.stack ?? '').slice(0, MAX_STACK_CHARS) };
  }
  return { errorClass: typeof error, message: String(error).slice(0, MAX_MESSAGE_CHARS), stack: '' };
}

/** Reads the failure story an incoming retry record carries, if any. */
export function readFailureEnvelope(headers: Headers): FailureEnvelope | undefined {
  const agent = headers[Header.agent];
  const attempt = Number(headers[Header.attempt]);
  if (!agent || !Number.isInteger(attempt)) return undefined;
  let history: FailureRecord[] = [];
  try {
    const parsed: unknown = JSON.parse(headers[Header.failureHistory] ?? '[]');
    if (Array.isArray(parsed)) history = parsed as FailureRecord[];
  } catch {
    // A mangled history must not lose the event; the rest of the envelope still stands.
  }
  const dueAt = Number(headers[Header.dueAt]);
  return {
    agent,
    attempt,
    origin: {
      topic: headers[Header.originalTopic] ?? '',
      partition: Number(headers[Header.originalPartition] ?? -1),
      offset: headers[Header.originalOffset] ?? '',
      timestamp: headers[Header.originalTimestamp] ?? '',
    },
    firstFailedAt: Number(headers[Header.firstFailedAt] ?? 0),
    kind: (headers[Header.errorKind] as FailureKind | undefined) ?? 'transient',
    errorClass: headers[Header.errorClass] ?? '',
    errorMessage: headers[Header.errorMessage] ?? '',
    errorStack: headers[Header.errorStack] ?? '',
    history,
    ...(Number.isFinite(dueAt) && headers[Header.dueAt] !== undefined ? { dueAt } : {}),
  };
}

export interface FailureHeadersInput {
  /** The headers the failing record arrived with (its own ids, trace context, an earlier envelope). */
  incoming: Headers;
  agent: string;
  /** The delivery that just failed, 1 for the first. */
  attempt: number;
  kind: FailureKind;
  error: DescribedError;
  /** Where the record was consumed from this time; used as the origin on its first failure. */
  consumedFrom: EventOrigin;
  now: number;
  /** Set on retry records only. */
  dueAt?: number;
  /** Entries of this delivery before its own (an invalid-output failure's candidates, one each). */
  candidates?: readonly FailureRecord[];
}

/**
 * The headers of a retry or DLQ record: the original headers (ids, trace
 * context) plus the envelope, whose history grows by one entry per failure.
 */
export function buildFailureHeaders(input: FailureHeadersInput): Headers {
  const previous = readFailureEnvelope(input.incoming);
  const origin = previous?.origin.topic ? previous.origin : input.consumedFrom;
  const entry: FailureRecord = { attempt: input.attempt, at: input.now, kind: input.kind, errorClass: input.error.errorClass, message: input.error.message, agent: input.agent };
  const history = [...(previous?.history ?? []), ...(input.candidates ?? []), entry].slice(-MAX_HISTORY);
  const headers: Headers = { ...input.incoming };
  delete headers[Header.dueAt];
  Object.assign(headers, {
    [Header.agent]: input.agent,
    [Header.attempt]: String(input.attempt),
    [Header.originalTopic]: origin.topic,
    [Header.originalPartition]: String(origin.partition),
    [Header.originalOffset]: origin.offset,
    [Header.originalTimestamp]: origin.timestamp,
    [Header.firstFailedAt]: String(previous?.firstFailedAt || input.now),
    [Header.errorKind]: input.kind,
    [Header.errorClass]: input.error.errorClass,
    [Header.errorMessage]: input.error.message,
    [Header.errorStack]: input.error.stack,
    [Header.failureHistory]: JSON.stringify(history),
  });
  if (input.dueAt !== undefined) headers[Header.dueAt] = String(input.dueAt);
  return headers;
}
