import { pickLatestValid, serializeCheckpointState, sha256Hex, type StoredCheckpointVersion } from '../checkpoint/record';
import { CheckpointStateError } from '../checkpoint/store';
import { AgentStateValueError, type SkippedStateVersion, type StateVersionProblem } from './errors';

/**
 * One stored version of an agent's state, as JSON text:
 *   {"version":3,"savedAt":1718000000000,"sha256":"<hex of stateJson>","state":"<stateJson>"}
 * and, for a version made by restore, `,"restoredFrom":<n>` before the closing brace.
 * It is the checkpoint record (checkpoint/record.ts) plus when it was saved, and is checked by the
 * same code: the hash covers the state's exact JSON text, kept as a string inside the record.
 */
export interface StateRecord {
  version: number;
  savedAt: number;
  sha256: string;
  state: string;
  restoredFrom?: number;
}

/** A version as read back from storage: the number it is stored under and its raw text. */
export type StoredStateVersion = StoredCheckpointVersion;

/** What a save writes, before storage gives it its version number. */
export interface NewStateVersion {
  stateJson: string;
  sha256: string;
  savedAt: number;
  restoredFrom?: number;
}

/** One version as `mesh state ls` shows it. */
export interface StateVersionInfo {
  version: number;
  /** Epoch ms; null when the record is unreadable. */
  savedAt: number | null;
  /** UTF-8 bytes of the state's JSON (of the raw record when it is unreadable). */
  bytes: number;
  sha256: string | null;
  /** The record reads and its state matches its SHA-256. */
  intact: boolean;
  /** Why it is not intact. */
  problem?: StateVersionProblem;
  /** Made by restore: a copy of this version. */
  restoredFrom?: number;
}

/** The newest intact version of a key and the newer ones passed over, newest first. */
export interface StatePick {
  latest: { version: number; savedAt: number | null; state: unknown } | undefined;
  skipped: SkippedStateVersion[];
}

/** The state's JSON text; an AgentStateValueError (permanent) when it has none or it is larger than maxStateBytes. */
export function serializeState(agent: string, key: string, state: unknown, maxStateBytes: number): string {
  try {
    return serializeCheckpointState(state, maxStateBytes);
  } catch (error) {
    if (!(error instanceof CheckpointStateError)) throw error;
    // The checks are the checkpoint store's; the words are this store's.
    throw new AgentStateValueError(`state '${key}' of agent '${agent}' ${error.message.replace(/^checkpoint state /, '')}`, { cause: error });
  }
}

export function newStateVersion(stateJson: string, savedAt: number, restoredFrom?: number): NewStateVersion {
  return { stateJson, sha256: sha256Hex(stateJson), savedAt, ...(restoredFrom !== undefined ? { restoredFrom } : {}) };
}

/** The record text of a version; the Redis save script builds the same text around the version it allocates. */
export function encodeStateRecord(version: number, entry: NewStateVersion): string {
  const record: StateRecord = { version, savedAt: entry.savedAt, sha256: entry.sha256, state: entry.stateJson };
  if (entry.restoredFrom !== undefined) record.restoredFrom = entry.restoredFrom;
  return JSON.stringify(record);
}

/** The fields of a record that parse, whatever its integrity. */
function recordFields(text: string): { savedAt: number | null; sha256: string | null; state: string | null; restoredFrom: number | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Partial<Record<keyof StateRecord, unknown>>) : {};
  const { savedAt, sha256, state, restoredFrom } = fields;
  return {
    savedAt: typeof savedAt === 'number' && Number.isFinite(savedAt) ? savedAt : null,
    sha256: typeof sha256 === 'string' ? sha256 : null,
    state: typeof state === 'string' ? state : null,
    restoredFrom: typeof restoredFrom === 'number' && Number.isSafeInteger(restoredFrom) && restoredFrom > 0 ? restoredFrom : undefined,
  };
}

/** Checks one version: its state, or why it cannot be used. Pure. */
export function checkStateVersion(stored: StoredStateVersion): { state: unknown; stateJson: string; savedAt: number | null } | StateVersionProblem {
  // The checkpoint store's checks, on a list of one.
  const pick = pickLatestValid([stored]);
  if (!pick.latest) return pick.skipped[0]?.reason ?? 'unreadable';
  const fields = recordFields(stored.record);
  // Intact means the record's state text parsed and matched its hash, so it is there.
  return { state: pick.latest.state, stateJson: fields.state ?? JSON.stringify(pick.latest.state), savedAt: fields.savedAt };
}

/** One version as listed: when, how large, and whether it is intact. Pure. */
export function describeStateVersion(stored: StoredStateVersion): StateVersionInfo {
  const fields = recordFields(stored.record);
  const checked = checkStateVersion(stored);
  const info: StateVersionInfo = {
    version: stored.version,
    savedAt: fields.savedAt,
    bytes: Buffer.byteLength(fields.state ?? stored.record, 'utf8'),
    sha256: fields.sha256,
    intact: typeof checked !== 'string',
  };
  if (typeof checked === 'string') info.problem = checked;
  if (fields.restoredFrom !== undefined) info.restoredFrom = fields.restoredFrom;
  return info;
}

/** Every version, newest first, as listed. Pure. */
export function describeStateVersions(versions: readonly StoredStateVersion[]): StateVersionInfo[] {
  return [...versions].sort((a, b) => b.version - a.version).map(describeStateVersion);
}

/** The newest version that passes its checks, and the newer ones skipped on the way. Pure. */
export function pickNewestIntact(versions: readonly StoredStateVersion[]): StatePick {
  const pick = pickLatestValid(versions);
  if (!pick.latest) return { latest: undefined, skipped: pick.skipped };
  const { version, state } = pick.latest;
  const chosen = versions.find((v) => v.version === version);
  return { latest: { version, savedAt: chosen ? recordFields(chosen.record).savedAt : null, state }, skipped: pick.skipped };
}
