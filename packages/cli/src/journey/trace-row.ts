import { deriveEventId, Header, type Headers } from '@agentmesh/runtime';
import { traceIdFromTraceparent } from '@agentmesh/runtime/internal';

/** A Kafka record as a trace reads it: where it is, when, its key and its string headers. */
export interface TracedRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka timestamp, epoch ms. */
  timestamp: number;
  key: string | null;
  headers: Headers;
}

/** A saga command's or reply's envelope, from its mesh-saga-* headers. */
export interface SagaHeaders {
  id: string;
  type?: string;
  step?: string;
  kind?: string;
  attempt?: number;
  deadlineAt?: number;
  coordinator?: string;
}

/** A saga reply's answer, from its value (the only part of a record the index reads beyond headers). */
export interface ReplySummary {
  outcome: string;
  errorKind?: string;
  error?: string;
}

/**
 * What the trace index keeps of one record: its place, its ids and the story its mesh headers tell
 * (failure, degradation, saga envelope). Values are not kept: a journey is drawn from headers.
 */
export interface TraceRow {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  eventId: string;
  /** True when the record had no mesh-event-id: the id is the one the worker derives for it. */
  eventIdDerived?: boolean;
  correlationId: string | null;
  causationId: string | null;
  traceId: string | null;
  /** `mesh-agent`: on retry and DLQ records, the agent that failed the event. */
  agent?: string;
  attempt?: number;
  dueAt?: number;
  errorKind?: string;
  errorClass?: string;
  errorMessage?: string;
  degraded?: boolean;
  degradedReason?: string;
  parked?: boolean;
  replay?: string;
  saga?: SagaHeaders;
  reply?: ReplySummary;
}

/** Kept short: the index holds a summary, `mesh dlq show` the whole story. */
const MAX_MESSAGE_CHARS = 300;

/** The answer of a decoded saga.replies value (the shape of schemas/mesh/saga-reply.avsc), or undefined when it is not one. */
export function replySummaryOf(value: unknown): ReplySummary | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.outcome !== 'SUCCEEDED' && v.outcome !== 'FAILED') return undefined;
  const summary: ReplySummary = { outcome: v.outcome };
  if (typeof v.errorKind === 'string') summary.errorKind = v.errorKind;
  if (typeof v.error === 'string' && v.error !== '') summary.error = v.error.slice(0, MAX_MESSAGE_CHARS);
  return summary;
}

const num = (text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
};

function sagaOf(h: Headers): SagaHeaders | undefined {
  const id = h[Header.sagaId];
  if (!id) return undefined;
  const saga: SagaHeaders = { id };
  if (h[Header.sagaType]) saga.type = h[Header.sagaType];
  if (h[Header.sagaStep]) saga.step = h[Header.sagaStep];
  if (h[Header.sagaKind]) saga.kind = h[Header.sagaKind];
  const attempt = num(h[Header.sagaAttempt]);
  if (attempt !== undefined) saga.attempt = attempt;
  const deadlineAt = num(h[Header.sagaDeadlineAt]);
  if (deadlineAt !== undefined) saga.deadlineAt = deadlineAt;
  if (h[Header.sagaCoordinator]) saga.coordinator = h[Header.sagaCoordinator];
  return saga;
}

/**
 * The index's summary of a record. A record without a mesh-event-id gets the id the worker
 * derives for it (topic, partition, offset), so a journey that starts at a foreign producer's
 * record still has its first hop.
 */
export function traceRowOf(record: TracedRecord): TraceRow {
  const h = record.headers;
  const named = h[Header.eventId];
  const row: TraceRow = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key,
    eventId: named ?? deriveEventId(`kafka:${record.topic}:${record.partition}:${record.offset}`, 'source', 0),
    correlationId: h[Header.correlationId] ?? null,
    causationId: h[Header.causationId] ?? null,
    traceId: traceIdFromTraceparent(h[Header.traceparent]) ?? null,
  };
  if (named === undefined) row.eventIdDerived = true;
  if (h[Header.agent]) row.agent = h[Header.agent];
  const attempt = num(h[Header.attempt]);
  if (attempt !== undefined) row.attempt = attempt;
  const dueAt = num(h[Header.dueAt]);
  if (dueAt !== undefined) row.dueAt = dueAt;
  if (h[Header.errorKind]) row.errorKind = h[Header.errorKind];
  if (h[Header.errorClass]) row.errorClass = h[Header.errorClass];
  if (h[Header.errorMessage]) row.errorMessage = h[Header.errorMessage].slice(0, MAX_MESSAGE_CHARS);
  if (h[Header.degraded] === 'true') row.degraded = true;
  if (h[Header.degradedReason]) row.degradedReason = h[Header.degradedReason].slice(0, MAX_MESSAGE_CHARS);
  if (h[Header.parked] === 'true') row.parked = true;
  if (h[Header.replay]) row.replay = h[Header.replay];
  const saga = sagaOf(h);
  if (saga) row.saga = saga;
  return row;
}

/**
 * The journey a record belongs to: its correlation id, else its own event id (where a flow starts
 * they are equal). Undefined for a saga record that names only its saga (saga.stuck): it joins the
 * journeys of its saga's commands.
 */
export function journeyIdOf(row: TraceRow): string | undefined {
  if (row.correlationId) return row.correlationId;
  if (row.saga && row.topic.startsWith('saga.')) return undefined;
  return row.eventId;
}

/** `topic/partition@offset`: a record's place, unique within a cluster. */
export function placeOf(row: Pick<TraceRow, 'topic' | 'partition' | 'offset'>): string {
  return `${row.topic}/${row.partition}@${row.offset}`;
}
