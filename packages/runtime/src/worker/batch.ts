import { journalId } from '../journal/journal-record';
import type { KafkaMessage } from 'kafkajs';
import { Header, headersToStrings, type Headers } from '../events/headers';
import { deriveEventId } from '../events/ids';
import type { Outcome } from '../idempotency/store';
import type { EventOutcomeLabel } from '../observability/metrics';
import type { ConsumedRecord, EventResult, OutgoingRecord } from './process-event';

/** A fetched batch as the worker reads it: the records due now, and where each one stands within the batch. */
export interface ReadBatch {
  records: ConsumedRecord[];
  /** Per record: an earlier record of this batch has the same event id (a producer retry, a re-sent saga command). */
  repeats: boolean[];
  /** Per record: its line, i.e. what orders it. Its key's bytes, or for a record without a key its own index. */
  lines: Array<string | number>;
  /** On a retry tier: how long until the first record not due yet, which is left with all after it for later. */
  notDueInMs?: number;
}

export interface BatchSource {
  topic: string;
  partition: number;
  /** The retry tier the topic is, or undefined for a source topic. */
  retryTier: number | undefined;
  now: number;
}

/**
 * Reads a fetched batch: a retry tier's records up to the first not yet due, each with its event id
 * (its header, else one derived from its coordinates, stable across redeliveries) stamped in its
 * headers so retry and dead-letter copies keep it, its attempt, and its line.
 */
export function readBatch(messages: readonly KafkaMessage[], source: BatchSource): ReadBatch {
  const { topic, partition, retryTier, now } = source;
  let due = messages.length;
  let notDueInMs: number | undefined;
  if (retryTier !== undefined) {
    // A retry record is never handled before its due time: stop at the first one not due.
    for (let i = 0; i < messages.length; i++) {
      const dueAt = Number(messages[i]!.headers?.[Header.dueAt]?.toString() ?? 0);
      if (dueAt > now) {
        due = i;
        notDueInMs = dueAt - now;
        break;
      }
    }
  }
  const records = new Array<ConsumedRecord>(due);
  const repeats = new Array<boolean>(due);
  const lines = new Array<string | number>(due);
  const seen = new Set<string>();
  for (let i = 0; i < due; i++) {
    const m = messages[i]!;
    const headers = retryTier === undefined ? sourceHeaders(m.headers) : headersToStrings(m.headers);
    const eventId = headers[Header.eventId] ?? deriveEventId(`kafka:${topic}:${partition}:${m.offset}`, 'source', 0);
    headers[Header.eventId] = eventId;
    records[i] = {
      topic,
      partition,
      offset: m.offset,
      timestamp: m.timestamp,
      key: m.key,
      value: m.value,
      headers,
      eventId,
      attempt: retryTier === undefined ? 1 : Number(headers[Header.attempt] ?? 0) + 1,
    };
    repeats[i] = seen.has(eventId);
    seen.add(eventId);
    // latin1 maps a key's bytes to chars one to one; a number is never equal to a string as a Set or Map key.
    lines[i] = m.key === null ? i : m.key.toString('latin1');
  }
  return notDueInMs === undefined ? { records, repeats, lines } : { records, repeats, lines, notDueInMs };
}

/** What became of one record of a batch. */
export type RecordResult = EventResult | { kind: 'duplicate' } | { kind: 'busy' };

/** Why the rest of a batch was left unconsumed. */
export type BatchStop = { kind: 'hold'; retryAfterMs: number; reason: string } | { kind: 'busy' };

/** What the worker writes and commits once every record of a batch has a result. */
export interface SettledBatch {
  /** Outputs, retries and dead letters, in record order. */
  outgoing: OutgoingRecord[];
  /** Finished events to mark done. */
  completions: Array<{ eventId: string; outcome: Outcome }>;
  /** Checkpoint ids of finished events that can go: the event's own (it touched ctx.checkpoint) and its step journal (ctx.step). */
  checkpointed: string[];
  /** Events sent to a retry tier: their leases are given up. */
  retried: string[];
  /** The last offset of the contiguous prefix of decided records: commit through it. */
  commitThrough?: string;
  /** Decided records by outcome (those of the committed prefix). */
  outcomes: Map<EventOutcomeLabel, number>;
  /** Set when a record was left undecided: the records from it on are fetched again. */
  stoppedBy?: BatchStop;
}

/** Gathers a batch's results: what to produce, to mark, and which offsets to commit. */
export function settleBatch(records: readonly ConsumedRecord[], results: readonly RecordResult[]): SettledBatch {
  const outgoing: OutgoingRecord[] = [];
  const completions: SettledBatch['completions'] = [];
  const checkpointed: string[] = [];
  const retried: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const result = results[i]!;
    if (result.kind === 'finished') {
      for (const r of result.records) outgoing.push(r);
      completions.push({ eventId: records[i]!.eventId, outcome: result.outcome });
      if (result.checkpointUsed) checkpointed.push(records[i]!.eventId);
      if (result.stepsUsed) checkpointed.push(journalId(records[i]!.eventId));
    } else if (result.kind === 'retry') {
      for (const r of result.records) outgoing.push(r);
      retried.push(records[i]!.eventId);
    }
  }
  // Offsets move over the contiguous prefix of decided records only; the rest is fetched again.
  const outcomes = new Map<EventOutcomeLabel, number>();
  let decided = 0;
  let stoppedBy: BatchStop | undefined;
  for (; decided < records.length; decided++) {
    const result = results[decided]!;
    if (result.kind === 'hold' || result.kind === 'busy') {
      stoppedBy = result.kind === 'busy' ? { kind: 'busy' } : result;
      break;
    }
    const outcome = outcomeOf(result);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const settled: SettledBatch = { outgoing, completions, checkpointed, retried, outcomes };
  if (decided > 0) settled.commitThrough = records[decided - 1]!.offset;
  if (stoppedBy) settled.stoppedBy = stoppedBy;
  return settled;
}

function outcomeOf(result: Exclude<RecordResult, { kind: 'hold' } | { kind: 'busy' }>): EventOutcomeLabel {
  if (result.kind === 'duplicate') return 'duplicate';
  return result.kind === 'retry' ? 'retried' : result.outcome;
}

/** What the consumer does after a batch. */
export type NextFetch =
  | { action: 'fetch' }
  /** Everything stops for a while (a dead dependency): nothing is consumed into retries or dead letters meanwhile. */
  | { action: 'pause-all'; reason: string; ms: number }
  /** This partition waits (a record busy elsewhere, or a retry not due yet). */
  | { action: 'pause-partition'; ms: number };

/** How long a partition waits for a record another batch or instance is handling. */
export const BUSY_RECHECK_MS = 1_000;
/** The shortest wait for a retry record that is almost due. */
const MIN_NOT_DUE_WAIT_MS = 10;

/** After a batch: pause for a hold, wait out a busy record, or wait for the first retry not yet due. */
export function nextFetch(stoppedBy: BatchStop | undefined, notDueInMs: number | undefined): NextFetch {
  if (stoppedBy?.kind === 'hold') return { action: 'pause-all', reason: stoppedBy.reason, ms: stoppedBy.retryAfterMs };
  if (stoppedBy?.kind === 'busy') return { action: 'pause-partition', ms: BUSY_RECHECK_MS };
  if (notDueInMs !== undefined) return { action: 'pause-partition', ms: Math.max(MIN_NOT_DUE_WAIT_MS, notDueInMs) };
  return { action: 'fetch' };
}

/** Failure headers on a source record belong to another agent's story; this agent starts its own. */
const FOREIGN_ENVELOPE: ReadonlySet<string> = new Set([
  Header.attempt,
  Header.dueAt,
  Header.agent,
  Header.originalTopic,
  Header.originalPartition,
  Header.originalOffset,
  Header.originalTimestamp,
  Header.firstFailedAt,
  Header.errorKind,
  Header.errorClass,
  Header.errorMessage,
  Header.errorStack,
  Header.failureHistory,
]);

/** A source record's headers as strings, without another agent's failure envelope. */
function sourceHeaders(raw: KafkaMessage['headers']): Headers {
  const out: Headers = {};
  if (!raw) return out;
  for (const k of Object.keys(raw)) {
    if (FOREIGN_ENVELOPE.has(k)) continue;
    const v = raw[k];
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[k] = last.toString();
  }
  return out;
}
