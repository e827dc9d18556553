import { deriveEventId } from '@agentmesh/runtime';
import { placeOf, type TraceRow } from './trace-row';

/** What went wrong, as a retry or DLQ record tells it. */
export interface HopError {
  kind: string | null;
  errorClass: string | null;
  message: string | null;
}

/** What a record in a journey says happened. */
export type HopOutcome =
  | { kind: 'ok' }
  | { kind: 'retry'; tier: number | null; delayMs: number | null; dueAt: number | null; error: HopError }
  | { kind: 'parked'; dueAt: number | null }
  | { kind: 'replayed'; replay: string }
  | { kind: 'dead-lettered'; attempts: number | null; error: HopError }
  | { kind: 'degraded'; reason: string | null }
  | { kind: 'saga-command'; sagaId: string; sagaType: string | null; step: string | null; command: string | null; attempt: number | null; deadlineAt: number | null }
  | { kind: 'saga-reply'; sagaId: string; step: string | null; outcome: string | null; errorKind: string | null; error: string | null }
  | { kind: 'saga-stuck'; sagaId: string };

/** One record of a journey, placed in time and under the record that caused it. */
export interface Hop {
  place: string;
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  /** Milliseconds from the journey's first record. */
  startMs: number;
  /** Milliseconds until the last record it caused (0 for a record that caused none). */
  durationMs: number;
  /** 0 for a record nothing in the journey caused. */
  depth: number;
  /** The place of the record that caused it, or null. */
  parent: string | null;
  eventId: string;
  causationId: string | null;
  key: string | null;
  /** Who wrote it: the agent (found from the id it derived), the coordinator, or null (published from outside the mesh, or not known). */
  agent: string | null;
  /** The delivery that failed (retry and DLQ records), or the saga attempt of a command. */
  attempt: number | null;
  outcome: HopOutcome;
}

export interface JourneyCounts {
  records: number;
  retries: number;
  deadLetters: number;
  degraded: number;
  sagaCommands: number;
  sagaReplies: number;
}

export interface Journey {
  /** The journey ids (correlation ids) the records came from. */
  ids: string[];
  traceIds: string[];
  startedAt: number;
  endedAt: number;
  durationMs: number;
  hops: Hop[];
  counts: JourneyCounts;
}

const RETRY_TOPIC = /^(.+)\.retry\.(\d+)$/;
const DLQ_TOPIC = /^(.+)\.dlq$/;
/** Outputs per topic of one input searched when matching a derived id to its agent: handlers emit few. */
const MAX_OUTPUT_INDEX = 16;

type Role = 'failure' | 'other';

function outcomeOf(row: TraceRow): HopOutcome {
  const error: HopError = { kind: row.errorKind ?? null, errorClass: row.errorClass ?? null, message: row.errorMessage ?? null };
  const retry = RETRY_TOPIC.exec(row.topic);
  if (retry) {
    if (row.parked) return { kind: 'parked', dueAt: row.dueAt ?? null };
    if (row.replay && row.attempt === 0) return { kind: 'replayed', replay: row.replay };
    return { kind: 'retry', tier: Number(retry[2]), delayMs: row.dueAt !== undefined ? Math.max(0, row.dueAt - row.timestamp) : null, dueAt: row.dueAt ?? null, error };
  }
  if (DLQ_TOPIC.test(row.topic)) return { kind: 'dead-lettered', attempts: row.attempt ?? null, error };
  if (row.saga && row.topic === 'saga.stuck') return { kind: 'saga-stuck', sagaId: row.saga.id };
  if (row.saga && row.topic === 'saga.replies') {
    return { kind: 'saga-reply', sagaId: row.saga.id, step: row.saga.step ?? null, outcome: row.reply?.outcome ?? null, errorKind: row.reply?.errorKind ?? null, error: row.reply?.error ?? null };
  }
  if (row.saga?.kind) {
    const s = row.saga;
    return { kind: 'saga-command', sagaId: s.id, sagaType: s.type ?? null, step: s.step ?? null, command: s.kind ?? null, attempt: s.attempt ?? null, deadlineAt: s.deadlineAt ?? null };
  }
  if (row.degraded) return { kind: 'degraded', reason: row.degradedReason ?? null };
  return { kind: 'ok' };
}

const isFailureRecord = (outcome: HopOutcome) => outcome.kind === 'retry' || outcome.kind === 'parked' || outcome.kind === 'replayed' || outcome.kind === 'dead-lettered';

/** The agent whose output `row` is: the one whose derived id for (cause, topic, position) is the row's id. */
export function producingAgent(row: Pick<TraceRow, 'eventId' | 'causationId' | 'topic'>, candidates: Iterable<string>): string | null {
  if (!row.causationId) return null;
  for (const agent of candidates) {
    for (let index = 0; index < MAX_OUTPUT_INDEX; index++) {
      if (deriveEventId(row.causationId, `${agent}/${row.topic}`, index) === row.eventId) return agent;
    }
  }
  return null;
}

function writerOf(row: TraceRow, outcome: HopOutcome, candidates: readonly string[]): string | null {
  if (isFailureRecord(outcome)) return row.agent ?? RETRY_TOPIC.exec(row.topic)?.[1] ?? DLQ_TOPIC.exec(row.topic)?.[1] ?? null;
  if (outcome.kind === 'saga-command') return row.saga?.coordinator ?? 'coordinator';
  if (outcome.kind === 'saga-stuck') return row.saga?.coordinator ?? 'coordinator';
  return producingAgent(row, candidates);
}

function byTime(a: TraceRow, b: TraceRow): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  const d = BigInt(a.offset) - BigInt(b.offset);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

interface Placed {
  row: TraceRow;
  outcome: HopOutcome;
  role: Role;
  writer: string | null;
  parent: number | null;
  children: number[];
}

/**
 * The record that caused the one at `i`. A retry or DLQ record follows the delivery of the same
 * event that failed: the original, or the same agent's previous retry. Any other record follows
 * its cause's (causation id's) delivery to the agent that wrote it, the last one before it: the
 * retry that succeeded rather than the first attempt that failed. A saga's stuck notice follows
 * the saga's last record.
 */
function parentOf(i: number, placed: readonly Placed[], byEvent: ReadonlyMap<string, number[]>): number | null {
  const me = placed[i]!;
  const deliveredTo = (j: number) => placed[j]!.role === 'other' || placed[j]!.writer === me.writer;
  const lastBefore = (candidates: readonly number[] | undefined): number | null => {
    let found: number | null = null;
    for (const j of candidates ?? []) if (j < i && deliveredTo(j)) found = j;
    return found;
  };
  if (me.role === 'failure') return lastBefore(byEvent.get(me.row.eventId));
  if (me.row.causationId) {
    const candidates = byEvent.get(me.row.causationId);
    // A cause stamped later than its effect (producers' clocks differ): still its parent.
    return lastBefore(candidates) ?? candidates?.find((j) => j !== i) ?? null;
  }
  if (me.outcome.kind === 'saga-stuck') {
    for (let j = i - 1; j >= 0; j--) if (placed[j]!.row.saga?.id === me.row.saga?.id) return j;
  }
  return null;
}

/**
 * A journey from the index's rows: each record under the record that caused it, in time order,
 * with its outcome and who wrote it. `candidateAgents` are the names an output's id is matched
 * against (the cluster's consumer groups); agents named by the rows' failure headers are added.
 */
export function buildJourney(rows: readonly TraceRow[], candidateAgents: readonly string[] = []): Journey {
  const unique = new Map<string, TraceRow>();
  for (const row of rows) unique.set(placeOf(row), row);
  const ordered = [...unique.values()].sort(byTime);
  const named = new Set<string>(candidateAgents);
  for (const row of ordered) {
    if (row.agent) named.add(row.agent);
    const failed = RETRY_TOPIC.exec(row.topic)?.[1] ?? DLQ_TOPIC.exec(row.topic)?.[1];
    if (failed) named.add(failed);
  }
  const candidates = [...named];

  const placed: Placed[] = ordered.map((row) => {
    const outcome = outcomeOf(row);
    return { row, outcome, role: isFailureRecord(outcome) ? 'failure' : 'other', writer: writerOf(row, outcome, candidates), parent: null, children: [] };
  });
  const byEvent = new Map<string, number[]>();
  placed.forEach((p, i) => {
    const list = byEvent.get(p.row.eventId);
    if (list) list.push(i);
    else byEvent.set(p.row.eventId, [i]);
  });
  placed.forEach((p, i) => {
    p.parent = parentOf(i, placed, byEvent);
    if (p.parent !== null) placed[p.parent]!.children.push(i);
  });

  const startedAt = ordered.length > 0 ? ordered[0]!.timestamp : 0;
  const endedAt = ordered.reduce((max, r) => Math.max(max, r.timestamp), startedAt);
  const hops: Hop[] = [];
  const visited = new Set<number>();
  const visit = (i: number, depth: number) => {
    if (visited.has(i)) return;
    visited.add(i);
    const p = placed[i]!;
    const end = p.children.reduce((max, c) => Math.max(max, placed[c]!.row.timestamp), p.row.timestamp);
    hops.push({
      place: placeOf(p.row),
      topic: p.row.topic,
      partition: p.row.partition,
      offset: p.row.offset,
      timestamp: p.row.timestamp,
      startMs: p.row.timestamp - startedAt,
      durationMs: end - p.row.timestamp,
      depth,
      parent: p.parent === null ? null : placeOf(placed[p.parent]!.row),
      eventId: p.row.eventId,
      causationId: p.row.causationId,
      key: p.row.key,
      agent: p.writer,
      attempt: p.role === 'failure' ? (p.row.attempt ?? null) : p.outcome.kind === 'saga-command' ? p.outcome.attempt : null,
      outcome: p.outcome,
    });
    // Children were pushed in index order, which is time order.
    for (const c of p.children) visit(c, depth + 1);
  };
  placed.forEach((p, i) => {
    if (p.parent === null) visit(i, 0);
  });
  // Records whose causes point at each other (malformed headers) are shown rather than lost.
  placed.forEach((_, i) => visit(i, 0));

  const count = (kind: HopOutcome['kind']) => hops.filter((h) => h.outcome.kind === kind).length;
  return {
    ids: [...new Set(ordered.map((r) => r.correlationId ?? r.eventId))],
    traceIds: [...new Set(ordered.flatMap((r) => (r.traceId ? [r.traceId] : [])))],
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    hops,
    counts: {
      records: hops.length,
      retries: count('retry'),
      deadLetters: count('dead-lettered'),
      degraded: count('degraded'),
      sagaCommands: count('saga-command'),
      sagaReplies: count('saga-reply'),
    },
  };
}
