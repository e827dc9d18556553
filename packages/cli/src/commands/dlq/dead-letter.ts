import { deriveEventId, Header, readFailureEnvelope, type FailureKind, type FailureRecord, type Headers } from '@agentmesh/runtime/internal/fleet';

/** A record as read from a `<agent>.dlq` topic: bytes and string headers, untouched. */
export interface DlqRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka timestamp of the DLQ record (epoch ms, as a string): when it was dead-lettered. */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

/** The failure story of one dead letter, read from its headers. */
export interface DeadLetter {
  record: DlqRecord;
  /** The agent that dead-lettered it: `mesh-agent`, else the topic's prefix. */
  agent: string;
  key: string | null;
  /** `mesh-event-id`, else the id the worker derives for a record without one (see eventIdDerived). */
  eventId: string;
  /**
   * True when the record has no `mesh-event-id` (the worker stamps the id on what it
   * writes; older workers did not): the id is then derived from the origin by the
   * worker's rule for a source record without one.
   */
  eventIdDerived: boolean;
  /** Where the event was first consumed from. */
  origin: { topic: string; partition: number; offset: string; timestamp: string };
  /** `mesh-error-kind`; 'unknown' when the record carries no envelope (written by something else). */
  kind: FailureKind | 'unknown';
  errorClass: string;
  errorMessage: string;
  errorStack: string;
  /** Deliveries of the event that failed (the `mesh-attempt` of the last one). */
  attempts: number;
  firstFailedAt: number | null;
  deadLetteredAt: number;
  history: FailureRecord[];
  /** `mesh-replay` if the event was replayed before and failed again. */
  replay: string | null;
}

const DLQ_SUFFIX = '.dlq';

/** The agent a DLQ topic belongs to, or undefined for other topics. */
export function agentOfDlqTopic(topic: string): string | undefined {
  return topic.endsWith(DLQ_SUFFIX) && topic.length > DLQ_SUFFIX.length ? topic.slice(0, -DLQ_SUFFIX.length) : undefined;
}

export function readDeadLetter(record: DlqRecord): DeadLetter {
  const envelope = readFailureEnvelope(record.headers);
  const h = record.headers;
  const origin = envelope?.origin ?? { topic: '', partition: -1, offset: '', timestamp: '' };
  const named = h[Header.eventId];
  // The worker's rule for a record without an id (worker.ts eventIdOf), applied to where the event came from.
  const from = origin.topic ? origin : { topic: record.topic, partition: record.partition, offset: record.offset };
  return {
    record,
    agent: envelope?.agent ?? agentOfDlqTopic(record.topic) ?? record.topic,
    key: record.key === null ? null : record.key.toString('utf8'),
    eventId: named ?? deriveEventId(`kafka:${from.topic}:${from.partition}:${from.offset}`, 'source', 0),
    eventIdDerived: named === undefined,
    origin,
    kind: envelope?.kind ?? 'unknown',
    errorClass: envelope?.errorClass ?? '',
    errorMessage: envelope?.errorMessage ?? '',
    errorStack: envelope?.errorStack ?? '',
    attempts: envelope?.attempt ?? 0,
    firstFailedAt: envelope?.firstFailedAt ? envelope.firstFailedAt : null,
    deadLetteredAt: Number(record.timestamp),
    history: envelope?.history ?? [],
    replay: h[Header.replay] ?? null,
  };
}

/** Newest first: by DLQ timestamp, then by partition and offset so the order is stable. */
export function newestFirst(a: DeadLetter, b: DeadLetter): number {
  if (a.deadLetteredAt !== b.deadLetteredAt) return b.deadLetteredAt - a.deadLetteredAt;
  if (a.record.partition !== b.record.partition) return a.record.partition - b.record.partition;
  const diff = BigInt(b.record.offset) - BigInt(a.record.offset);
  return diff > 0n ? 1 : diff < 0n ? -1 : 0;
}
