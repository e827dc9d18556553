import type { CompatibilityLevel } from '../compatibility/levels';
import { isCompatibilityLevel } from '../compatibility/levels';

/** Value of a SCHEMA record, in Confluent's `_schemas` layout. */
export interface SchemaVersionValue {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** Canonical schema text. */
  readonly schema: string;
  readonly deleted: boolean;
}

/** One record of the log; a `null` value is a tombstone (permanent delete). */
export type StoreRecord =
  | { readonly kind: 'schema'; readonly subject: string; readonly version: number; readonly value: SchemaVersionValue | null }
  | { readonly kind: 'config'; readonly subject: string | null; readonly value: { readonly compatibilityLevel: CompatibilityLevel } | null };

/**
 * Record keys, serialised with a fixed field order: compaction keys on the exact
 * bytes, so two writers must produce identical keys for the same subject/version.
 */
export function encodeKey(record: StoreRecord): string {
  if (record.kind === 'schema') {
    return JSON.stringify({ keytype: 'SCHEMA', subject: record.subject, version: record.version, magic: 1 });
  }
  return record.subject === null ? JSON.stringify({ keytype: 'CONFIG', magic: 0 }) : JSON.stringify({ keytype: 'CONFIG', subject: record.subject, magic: 0 });
}

export function encodeValue(record: StoreRecord): string | null {
  if (record.value === null) return null;
  if (record.kind === 'schema') {
    const { subject, version, id, schema, deleted } = record.value;
    return JSON.stringify({ subject, version, id, schema, deleted });
  }
  return JSON.stringify({ compatibilityLevel: record.value.compatibilityLevel });
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Reads a record back from the log. Returns undefined for key types we do not use
 * (Confluent also writes NOOP, DELETE_SUBJECT, MODE...) and for records we cannot
 * make sense of, so one foreign record never stops the registry from starting.
 */
export function decodeRecord(key: string, value: string | null): StoreRecord | undefined {
  let parsedKey: Record<string, unknown> | undefined;
  let parsedValue: Record<string, unknown> | undefined;
  try {
    parsedKey = asObject(JSON.parse(key));
    parsedValue = value === null ? undefined : asObject(JSON.parse(value));
  } catch {
    return undefined;
  }
  if (!parsedKey) return undefined;
  if (parsedKey.keytype === 'SCHEMA') {
    const { subject, version } = parsedKey;
    if (typeof subject !== 'string' || typeof version !== 'number') return undefined;
    if (value === null) return { kind: 'schema', subject, version, value: null };
    if (!parsedValue || typeof parsedValue.id !== 'number' || typeof parsedValue.schema !== 'string') return undefined;
    return {
      kind: 'schema',
      subject,
      version,
      value: { subject, version, id: parsedValue.id, schema: parsedValue.schema, deleted: parsedValue.deleted === true },
    };
  }
  if (parsedKey.keytype === 'CONFIG') {
    const subject = typeof parsedKey.subject === 'string' ? parsedKey.subject : null;
    if (value === null) return { kind: 'config', subject, value: null };
    const level = parsedValue?.compatibilityLevel;
    if (!isCompatibilityLevel(level)) return undefined;
    return { kind: 'config', subject, value: { compatibilityLevel: level } };
  }
  return undefined;
}
