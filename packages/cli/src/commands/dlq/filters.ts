import type { FailureKind } from '@agentmesh/runtime/internal/fleet';
import { UsageError } from '../../options';
import type { DeadLetter } from './dead-letter';

/** The failure kinds a worker writes into `mesh-error-kind`. */
export const FAILURE_KINDS: readonly FailureKind[] = ['transient', 'permanent', 'timeout', 'invalid-input', 'invalid-output'];

/** What `--where field=value` can test. Text fields match exactly, except error-message (a substring). */
export const FILTER_FIELDS = ['error-kind', 'error-class', 'error-message', 'origin-topic', 'key', 'event-id'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface WhereClause {
  field: FilterField;
  value: string;
}

/**
 * Which dead letters a command takes. Clauses on one field are alternatives
 * (`--where error-kind=transient --where error-kind=timeout`); clauses on
 * different fields must all hold.
 */
export interface DeadLetterFilter {
  where: readonly WhereClause[];
  /** Only dead letters written at or after this time (epoch ms of the DLQ record). */
  sinceMs?: number;
}

function isFilterField(name: string): name is FilterField {
  return (FILTER_FIELDS as readonly string[]).includes(name);
}

/** Parses one `--where field=value`; a wrong field or kind is a UsageError naming the choices. */
export function parseWhere(text: string): WhereClause {
  const eq = text.indexOf('=');
  if (eq < 1) throw new UsageError(`--where '${text}' is not a filter; write it as field=value (fields: ${FILTER_FIELDS.join(', ')})`);
  const field = text.slice(0, eq).trim();
  const value = text.slice(eq + 1).trim();
  if (!isFilterField(field)) throw new UsageError(`--where: unknown field '${field}' (fields: ${FILTER_FIELDS.join(', ')})`);
  if (value === '') throw new UsageError(`--where ${field}= needs a value`);
  if (field === 'error-kind' && !(FAILURE_KINDS as readonly string[]).includes(value)) {
    throw new UsageError(`--where error-kind=${value}: unknown error kind (kinds: ${FAILURE_KINDS.join(', ')})`);
  }
  return { field, value };
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `--since`: an ISO 8601 time (`2025-06-01T12:00:00Z`, `2025-06-01`) or a
 * duration back from `now` (`90s`, `15m`, `2h`, `7d`, `1h30m`).
 */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim();
  const duration = /^(?:\d+(?:ms|s|m|h|d|w))+$/.test(trimmed) ? [...trimmed.matchAll(/(\d+)(ms|s|m|h|d|w)/g)] : [];
  if (duration.length > 0) {
    const ms = duration.reduce((sum, [, amount, unit]) => sum + Number(amount) * DURATION_UNITS_MS[unit!]!, 0);
    return now - ms;
  }
  // Date.parse alone accepts too much ("1", "June"): insist on an ISO date first.
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (Number.isFinite(at)) return at;
  }
  throw new UsageError(`--since '${text}' is neither an ISO time (2025-06-01T12:00:00Z) nor a duration (30m, 2h, 7d)`);
}

function fieldValue(letter: DeadLetter, field: FilterField): string | null {
  switch (field) {
    case 'error-kind':
      return letter.kind;
    case 'error-class':
      return letter.errorClass;
    case 'error-message':
      return letter.errorMessage;
    case 'origin-topic':
      return letter.origin.topic;
    case 'key':
      return letter.key;
    case 'event-id':
      return letter.eventId;
  }
}

function clauseHolds(letter: DeadLetter, clause: WhereClause): boolean {
  const actual = fieldValue(letter, clause.field);
  if (actual === null) return false;
  return clause.field === 'error-message' ? actual.includes(clause.value) : actual === clause.value;
}

export function matchesFilter(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.sinceMs !== undefined && letter.deadLetteredAt < filter.sinceMs) return false;
  const byField = new Map<FilterField, WhereClause[]>();
  for (const clause of filter.where) byField.set(clause.field, [...(byField.get(clause.field) ?? []), clause]);
  for (const alternatives of byField.values()) if (!alternatives.some((c) => clauseHolds(letter, c))) return false;
  return true;
}

/** One line for messages: `error-kind=permanent, since 2025-06-01T10:00:00.000Z`, or `every dead letter`. */
export function describeFilter(filter: DeadLetterFilter): string {
  const parts = filter.where.map((c) => `${c.field}=${c.value}`);
  if (filter.sinceMs !== undefined) parts.push(`since ${new Date(filter.sinceMs).toISOString()}`);
  return parts.length > 0 ? parts.join(', ') : 'every dead letter';
}
