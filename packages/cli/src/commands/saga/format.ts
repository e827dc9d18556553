import { SAGA_STATUSES, STUCK_STATUSES, type SagaState, type SagaStatus, type TimelineEntry } from '@agentmesh/coordinator';
import { traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { isoOrDash } from '../dlq/common';
import { toJson } from '../dlq/display-value';
import { renderTable } from '../dlq/summary';

/** What `--state` takes: a status, or `stuck` for both statuses that wait for an operator. */
export const SAGA_STATE_FILTERS = ['running', 'waiting', 'compensating', 'compensated', 'completed', 'stuck', 'compensation_failed', 'forward_failed'] as const;
export type SagaStateFilter = (typeof SAGA_STATE_FILTERS)[number];

export function statusesFor(filter: SagaStateFilter | undefined): readonly SagaStatus[] {
  if (filter === undefined) return SAGA_STATUSES;
  return filter === 'stuck' ? STUCK_STATUSES : [filter];
}

export function isStuck(status: SagaStatus): boolean {
  return STUCK_STATUSES.includes(status);
}

/** A compact duration: `850ms`, `4.2s`, `12m5s`, `3h4m`, `2d3h`. */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  if (t < 1_000) return `${t}ms`;
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(t / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
}

/** A timeline entry's time relative to the saga's start: `+0.000s`, `+1.234s`. */
export function formatOffset(ms: number): string {
  return `+${(Math.max(0, ms) / 1_000).toFixed(3)}s`;
}

export function traceIdOf(state: SagaState): string | undefined {
  return traceIdFromTraceparent(state.traceparent);
}

function stepName(state: SagaState, index: number | undefined): string {
  return index === undefined ? '?' : (state.steps[index]?.name ?? `#${index}`);
}

/** The wait a saga is at: its step, since when, and when its declared timeout outcome is taken; undefined when not waiting. */
export function waitOf(state: SagaState): { step: string; since: number; deadlineAt: number } | undefined {
  const w = state.status === 'waiting' ? state.waiting : undefined;
  return w ? { step: stepName(state, w.step), since: w.since, deadlineAt: w.deadlineAt } : undefined;
}

/**
 * The step that matters now: the command awaited, the retry waited for, the
 * compensation or step an operator must look at, or the step whose failure
 * turned a compensated saga back. `-` when there is none (completed).
 */
export function currentStep(state: SagaState): string {
  const f = state.inFlight;
  if (f) return `${stepName(state, f.step)} ${f.kind} #${f.attempt}`;
  const find = (pred: (s: SagaState['steps'][number]) => boolean) => state.steps.findIndex(pred);
  switch (state.status) {
    case 'running': {
      const retrying = find((s) => s.status === 'running');
      if (retrying >= 0) return `${stepName(state, retrying)} execute #${state.steps[retrying]!.attempts + 1} (waiting to retry)`;
      const next = find((s) => s.status === 'pending');
      return next >= 0 ? `${stepName(state, next)} (starting)` : '-';
    }
    case 'waiting': {
      const wait = waitOf(state);
      return wait ? `${wait.step} (waiting for a signal until ${isoOrDash(wait.deadlineAt)})` : 'waiting';
    }
    case 'compensating': {
      const retrying = find((s) => s.status === 'compensating');
      return retrying >= 0 ? `${stepName(state, retrying)} compensate #${state.steps[retrying]!.compensationAttempts + 1} (waiting to retry)` : '-';
    }
    case 'compensation_failed': {
      const i = find((s) => s.status === 'compensation_failed');
      return i >= 0 ? `${stepName(state, i)} compensation failed` : 'compensation failed';
    }
    case 'forward_failed': {
      const i = find((s) => s.status !== 'succeeded');
      return i >= 0 ? `${stepName(state, i)} failed` : 'failed';
    }
    case 'compensated':
      return state.failedStep === undefined ? '-' : `${stepName(state, state.failedStep)} failed`;
    case 'completed':
      return '-';
  }
}

/** Newest first, then by id so equal start times list the same way every time. */
export function newestFirst(a: SagaState, b: SagaState): number {
  return b.startedAt - a.startedAt || a.id.localeCompare(b.id);
}

/** One saga of `mesh saga ls --json`. */
export interface SagaSummaryJson {
  id: string;
  type: string;
  status: SagaStatus;
  step: string;
  startedAt: string;
  ageMs: number;
  finishedAt: string | null;
  traceId: string | null;
  /** When a waiting saga's wait ends on its own (its declared timeout outcome). */
  waitingUntil: string | null;
}

export function sagaSummaryJson(state: SagaState, now: number): SagaSummaryJson {
  return {
    id: state.id,
    type: state.type,
    status: state.status,
    step: currentStep(state),
    startedAt: isoOrDash(state.startedAt),
    ageMs: Math.max(0, now - state.startedAt),
    finishedAt: state.finishedAt === undefined ? null : isoOrDash(state.finishedAt),
    traceId: traceIdOf(state) ?? null,
    waitingUntil: waitOf(state) ? isoOrDash(waitOf(state)!.deadlineAt) : null,
  };
}

/** The `mesh saga ls` table: one row per saga. */
export function renderSagaTable(states: readonly SagaState[], now: number): string {
  return renderTable(
    ['ID', 'TYPE', 'STATUS', 'STEP', 'AGE', 'TRACE ID'],
    states.map((s) => [s.id, s.type, s.status, currentStep(s), formatDuration(now - s.startedAt), traceIdOf(s) ?? '-']),
  );
}

/** `sagas by status: running 0, compensating 1, ... (stuck: 2)` over the whole store. */
export function renderCounts(counts: Readonly<Record<SagaStatus, number>>): string {
  const total = SAGA_STATUSES.reduce((n, s) => n + counts[s], 0);
  const stuck = STUCK_STATUSES.reduce((n, s) => n + counts[s], 0);
  return `${total} saga(s) by status: ${SAGA_STATUSES.map((s) => `${s} ${counts[s]}`).join(', ')} (stuck: ${stuck})\n`;
}

/** A saga's data made readable; `error` says why it could not be decoded (never thrown). */
export type DecodedData = { topic: string; bytes: number; encoding: 'json' | 'avro'; value: unknown } | { topic: string; bytes: number; error: string };

/** The `mesh saga show --json` object: the stored state with its trace id, and its data decoded. */
export type SagaDetailJson = Omit<SagaState, 'data'> & { traceId: string | null; step: string; data: DecodedData };

export function sagaDetailJson(state: SagaState, data: DecodedData): SagaDetailJson {
  return { ...state, traceId: traceIdOf(state) ?? null, step: currentStep(state), data };
}

const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((l) => `${by}${l}`.trimEnd())
    .join('\n');

/** `3`, or `3 (2 before resume)` once an operator resumed the step. */
function withResumes(attempts: number, beforeResume: number | undefined): string {
  return beforeResume === undefined ? String(attempts) : `${attempts} (${beforeResume} before resume)`;
}

function timelineRow(state: SagaState, e: TimelineEntry): string[] {
  return [formatOffset(e.at - state.startedAt), e.type, e.step ?? '-', e.kind ?? '-', e.attempt === undefined ? '-' : String(e.attempt), e.detail ?? ''];
}

function durationLine(state: SagaState, now: number): string {
  if (state.finishedAt !== undefined) return `${formatDuration(state.finishedAt - state.startedAt)} (finished ${isoOrDash(state.finishedAt)})`;
  if (isStuck(state.status)) return `stuck since ${isoOrDash(state.updatedAt)}, ${formatDuration(state.updatedAt - state.startedAt)} after it started (waiting for \`mesh saga resume ${state.id}\`)`;
  return `running for ${formatDuration(now - state.startedAt)}`;
}

function renderData(data: DecodedData): string {
  if ('error' in data) return `data (for topic ${data.topic}, ${data.bytes} bytes): not decoded: ${data.error}`;
  return `data (${data.encoding}, for topic ${data.topic}, ${data.bytes} bytes):\n${indent(toJson(data.value, 2))}`;
}

/** The human form of `mesh saga show`: header, timeline, steps, data. */
export function renderSagaDetail(state: SagaState, data: DecodedData, now: number): string {
  const t = state.trigger;
  const lines = [
    `saga ${state.id}`,
    `type:          ${state.type}`,
    `status:        ${state.status}`,
    `started:       ${isoOrDash(state.startedAt)} (${formatDuration(now - state.startedAt)} ago)`,
    `duration:      ${durationLine(state, now)}`,
    `trace id:      ${traceIdOf(state) ?? '-'}`,
    `trigger:       ${t.topic} partition ${t.partition} offset ${t.offset}, event id ${t.eventId}`,
    `correlation:   ${state.correlationId}`,
    `step:          ${currentStep(state)}`,
  ];
  if (state.failedStep !== undefined) lines.push(`failed step:   ${stepName(state, state.failedStep)} (its failure turned the saga back)`);
  if (state.inFlight)
    lines.push(
      `waiting on:    ${stepName(state, state.inFlight.step)} ${state.inFlight.kind} #${state.inFlight.attempt}, sent ${isoOrDash(state.inFlight.sentAt)}, deadline ${isoOrDash(state.inFlight.deadlineAt)}`,
    );
  else if (waitOf(state)) {
    const wait = waitOf(state)!;
    lines.push(
      `waiting for:   a signal on step ${wait.step} (mesh saga signal ${state.id} ${wait.step} --approve|--reject), since ${isoOrDash(wait.since)}; deadline ${isoOrDash(wait.deadlineAt)} (in ${formatDuration(wait.deadlineAt - now)})`,
    );
  } else if (state.wakeAt !== null) lines.push(`next look:     ${isoOrDash(state.wakeAt)}`);
  if (state.pendingSignals?.length) lines.push(`signals:       ${state.pendingSignals.length} recorded, not yet looked at by the coordinator`);
  if (state.dataPatch) lines.push(`data patch:    ${toJson(state.dataPatch)} (from signals; merged into the data the next commands carry)`);
  if (state.resumeRequestedAt !== undefined) lines.push(`resume:        requested ${isoOrDash(state.resumeRequestedAt)}, not yet acted on by the coordinator`);
  lines.push(`stored:        version ${state.version}, home partition ${state.homePartition} of saga.replies, last change ${isoOrDash(state.updatedAt)}`);
  lines.push('');
  const dropped = state.timelineDropped ? `, ${state.timelineDropped} older entries dropped to keep the state bounded` : '';
  lines.push(`timeline (${state.timeline.length} entries${dropped}):`);
  lines.push(
    indent(
      renderTable(
        ['AT', 'EVENT', 'STEP', 'KIND', 'ATTEMPT', 'DETAIL'],
        state.timeline.map((e) => timelineRow(state, e)),
      ).trimEnd(),
    ),
  );
  lines.push('');
  lines.push('steps:');
  lines.push(
    indent(
      renderTable(
        ['#', 'STEP', 'STATUS', 'ATTEMPTS', 'COMPENSATION ATTEMPTS', 'LAST ERROR'],
        state.steps.map((s, i) => [
          String(i + 1),
          s.name,
          s.status,
          withResumes(s.attempts, s.attemptsBeforeResume),
          withResumes(s.compensationAttempts, s.compensationAttemptsBeforeResume),
          s.lastError ?? '',
        ]),
      ).trimEnd(),
    ),
  );
  lines.push('');
  lines.push(renderData(data));
  return `${lines.join('\n')}\n`;
}
