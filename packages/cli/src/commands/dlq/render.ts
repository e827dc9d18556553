import { Header } from '@agentmesh/runtime';
import { traceIdFromTraceparent } from '@agentmesh/runtime/internal';
import { isoOrDash } from './common';
import type { DeadLetter } from './dead-letter';
import { toJson, type DisplayedValue } from './display-value';

/** The `mesh dlq show --json` object of one dead letter. */
export interface DeadLetterJson {
  dlq: { topic: string; partition: number; offset: string; deadLetteredAt: string };
  agent: string;
  key: string | null;
  eventId: string;
  /** The record has no `mesh-event-id`; `eventId` is the one the worker derived from its origin. */
  eventIdDerived: boolean;
  origin: DeadLetter['origin'];
  kind: string;
  errorClass: string;
  errorMessage: string;
  errorStack: string;
  attempts: number;
  firstFailedAt: string | null;
  history: DeadLetter['history'];
  replay: string | null;
  headers: Record<string, string>;
  value: DisplayedValue;
}

export function deadLetterJson(letter: DeadLetter, value: DisplayedValue): DeadLetterJson {
  const r = letter.record;
  return {
    dlq: { topic: r.topic, partition: r.partition, offset: r.offset, deadLetteredAt: isoOrDash(letter.deadLetteredAt) },
    agent: letter.agent,
    key: letter.key,
    eventId: letter.eventId,
    eventIdDerived: letter.eventIdDerived,
    origin: letter.origin,
    kind: letter.kind,
    errorClass: letter.errorClass,
    errorMessage: letter.errorMessage,
    errorStack: letter.errorStack,
    attempts: letter.attempts,
    firstFailedAt: letter.firstFailedAt === null ? null : isoOrDash(letter.firstFailedAt),
    history: letter.history,
    replay: letter.replay,
    headers: r.headers,
    value,
  };
}

/** A decoded value as text lines (dlq show, tail). */
export function renderValue(value: DisplayedValue): string[] {
  const note = 'note' in value && value.note ? [`  (${value.note})`] : [];
  switch (value.encoding) {
    case 'null':
      return ['value:         (null: no value)'];
    case 'avro':
      return [`value (avro, schema id ${value.schemaId}):`, ...indent(toJson(value.value, 2))];
    case 'json':
      return ['value (json):', ...indent(toJson(value.value, 2)), ...note];
    case 'utf8':
      return ['value (text):', ...indent(value.text), ...note];
    case 'hex':
      return [`value (hex, ${value.hex.length / 2} bytes):`, ...indent(value.hex), ...note];
  }
}

const indent = (text: string) => text.split('\n').map((l) => `  ${l}`);

/** The human form of `mesh dlq show`: the failure story first, then the value. The stack is in --json only. */
export function renderDeadLetter(letter: DeadLetter, value: DisplayedValue): string {
  const r = letter.record;
  const o = letter.origin;
  const lines = [
    `── ${r.topic} partition ${r.partition} offset ${r.offset}, dead-lettered ${isoOrDash(letter.deadLetteredAt)}`,
    `key:           ${letter.key ?? '(none)'}`,
    `event id:      ${letter.eventId}${letter.eventIdDerived ? ' (no mesh-event-id header: derived from the origin, as the worker does)' : ''}`,
    `trace id:      ${traceIdFromTraceparent(r.headers[Header.traceparent]) ?? '(none: the event carried no traceparent)'}`,
    `origin:        ${o.topic ? `${o.topic} partition ${o.partition} offset ${o.offset}` : '(unknown)'}`,
    `kind:          ${letter.kind}`,
    `error:         ${letter.errorClass || '(unknown)'}: ${letter.errorMessage}`,
    `attempts:      ${letter.attempts}, first failed ${isoOrDash(letter.firstFailedAt)}`,
  ];
  if (letter.replay !== null) lines.push(`replayed:      ${letter.replay} (and failed again)`);
  lines.push(`history:       ${letter.history.length === 0 ? '(none)' : ''}`.trimEnd());
  for (const h of letter.history) {
    const by = h.by ? ` [${h.by}]` : '';
    lines.push(`  #${h.attempt} ${isoOrDash(h.at)} ${h.kind}${by} ${h.errorClass}: ${h.message}${h.agent && h.agent !== letter.agent ? ` (agent ${h.agent})` : ''}`);
    // A candidate output that failed the agent's checks: what it answered.
    if (h.output) lines.push(`      output: ${h.output}`);
  }
  lines.push(...renderValue(value));
  return `${lines.join('\n')}\n`;
}
