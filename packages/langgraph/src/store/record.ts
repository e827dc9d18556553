import { createHash } from 'node:crypto';

/** A serialized value as LangGraph's serde gives it: its type tag and its bytes (base64 here). */
export interface SerializedValue {
  type: string;
  base64: string;
}

/** Where a record belongs; a record read back under another identity is not that record. */
export interface RecordIdentity {
  threadId: string;
  namespace: string;
  /** Checkpoints and pending writes; unset for a channel value, which several checkpoints share. */
  checkpointId?: string;
  /** Pending writes only: `<task id>,<idx>`. */
  write?: string;
  /** Channel values only: `[channel, version]` as JSON. */
  blob?: string;
}

export interface CheckpointBody {
  identity: RecordIdentity;
  parentCheckpointId: string | null;
  checkpoint: SerializedValue;
  metadata: SerializedValue;
}

export interface BlobBody {
  identity: RecordIdentity;
  value: SerializedValue;
}

export interface WriteBody {
  identity: RecordIdentity;
  taskId: string;
  channel: string;
  taskPath: string;
  value: SerializedValue;
}

/**
 * One stored record: `{"sha256":"<hex of body>","body":"<body JSON>"}`. The body is kept as its
 * JSON text so the hash covers the exact bytes written, as the runtime's checkpoint records do.
 */
interface StoredRecord {
  sha256: string;
  body: string;
}

/** Why a record was skipped; `incomplete`: a checkpoint whose channel value failed its own check. */
export type RecordRejectionReason = 'unreadable' | 'hash-mismatch' | 'identity-mismatch' | 'incomplete';

export type DecodedRecord<B> = { ok: true; body: B } | { ok: false; reason: RecordRejectionReason };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function serializedValue([type, bytes]: [string, Uint8Array]): SerializedValue {
  return { type, base64: Buffer.from(bytes).toString('base64') };
}

export function valueBytes(value: SerializedValue): Uint8Array {
  return Buffer.from(value.base64, 'base64');
}

export function encodeRecord(body: CheckpointBody | WriteBody | BlobBody): string {
  const text = JSON.stringify(body);
  const record: StoredRecord = { sha256: sha256Hex(text), body: text };
  return JSON.stringify(record);
}

function sameIdentity(a: RecordIdentity, b: RecordIdentity): boolean {
  return (
    a.threadId === b.threadId &&
    a.namespace === b.namespace &&
    (a.checkpointId ?? null) === (b.checkpointId ?? null) &&
    (a.write ?? null) === (b.write ?? null) &&
    (a.blob ?? null) === (b.blob ?? null)
  );
}

function isSerializedValue(value: unknown): value is SerializedValue {
  return typeof value === 'object' && value !== null && typeof (value as SerializedValue).type === 'string' && typeof (value as SerializedValue).base64 === 'string';
}

function isIdentity(value: unknown): value is RecordIdentity {
  if (typeof value !== 'object' || value === null) return false;
  const { threadId, namespace } = value as Partial<RecordIdentity>;
  return typeof threadId === 'string' && typeof namespace === 'string';
}

/** Checks a record's hash and that it is the record expected under this key. Pure. */
function decodeRecord(text: string, expected: RecordIdentity, shape: (body: Record<string, unknown>) => boolean): DecodedRecord<Record<string, unknown>> {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  if (typeof record !== 'object' || record === null) return { ok: false, reason: 'unreadable' };
  const { sha256, body } = record as Partial<Record<keyof StoredRecord, unknown>>;
  if (typeof sha256 !== 'string' || typeof body !== 'string') return { ok: false, reason: 'unreadable' };
  if (sha256Hex(body) !== sha256) return { ok: false, reason: 'hash-mismatch' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'unreadable' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'unreadable' };
  const fields = parsed as Record<string, unknown>;
  if (!isIdentity(fields.identity) || !shape(fields)) return { ok: false, reason: 'unreadable' };
  // A record copied under another key (another thread, checkpoint or write) is not this one.
  if (!sameIdentity(fields.identity, expected)) return { ok: false, reason: 'identity-mismatch' };
  return { ok: true, body: fields };
}

export function decodeCheckpointRecord(text: string, expected: RecordIdentity): DecodedRecord<CheckpointBody> {
  const decoded = decodeRecord(text, expected, (b) => isSerializedValue(b.checkpoint) && isSerializedValue(b.metadata) && (b.parentCheckpointId === null || typeof b.parentCheckpointId === 'string'));
  return decoded.ok ? { ok: true, body: decoded.body as unknown as CheckpointBody } : decoded;
}

export function decodeWriteRecord(text: string, expected: RecordIdentity): DecodedRecord<WriteBody> {
  const decoded = decodeRecord(text, expected, (b) => typeof b.taskId === 'string' && typeof b.channel === 'string' && typeof b.taskPath === 'string' && isSerializedValue(b.value));
  return decoded.ok ? { ok: true, body: decoded.body as unknown as WriteBody } : decoded;
}

export function decodeBlobRecord(text: string, expected: RecordIdentity): DecodedRecord<BlobBody> {
  const decoded = decodeRecord(text, expected, (b) => isSerializedValue(b.value));
  return decoded.ok ? { ok: true, body: decoded.body as unknown as BlobBody } : decoded;
}
