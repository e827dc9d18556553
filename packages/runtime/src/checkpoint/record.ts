import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { CheckpointStateError } from './store';

/**
 * One stored checkpoint version, as JSON text:
 *   {"version":3,"sha256":"<hex of stateJson>","state":"<stateJson>"}
 * The state is kept as its JSON text (a string inside the record) so the hash
 * covers the exact bytes written, not a re-serialization of them.
 */
export interface CheckpointRecord {
  version: number;
  sha256: string;
  state: string;
}

/** A version as read back from storage: the number it is stored under and its raw text. */
export interface StoredCheckpointVersion {
  version: number;
  record: string;
}

export type CheckpointRejectionReason = 'unreadable' | 'version-mismatch' | 'hash-mismatch';

export interface CheckpointRejection {
  version: number;
  reason: CheckpointRejectionReason;
}

export interface CheckpointPick {
  /** The newest version that passed its checks. */
  latest: { version: number; state: unknown } | undefined;
  /** Versions newer than `latest` that failed, newest first. */
  skipped: CheckpointRejection[];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The state's JSON text, or a CheckpointStateError when it has none or it is too large. */
export function serializeCheckpointState(state: unknown, maxStateBytes: number): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(state);
  } catch (error) {
    throw new CheckpointStateError(`checkpoint state is not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (json === undefined) throw new CheckpointStateError(`checkpoint state of type ${typeof state} has no JSON form`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxStateBytes) throw new CheckpointStateError(`checkpoint state is ${bytes} bytes, more than the ${maxStateBytes} allowed`);
  return json;
}

/** The record text for a version; the Redis save script builds the same text around the version it allocates. */
export function encodeCheckpointRecord(version: number, stateJson: string): string {
  const record: CheckpointRecord = { version, sha256: sha256Hex(stateJson), state: stateJson };
  return JSON.stringify(record);
}

function checkVersion(stored: StoredCheckpointVersion): { state: unknown } | CheckpointRejectionReason {
  let record: unknown;
  try {
    record = JSON.parse(stored.record);
  } catch {
    return 'unreadable';
  }
  if (typeof record !== 'object' || record === null) return 'unreadable';
  const { version, sha256, state } = record as Partial<Record<keyof CheckpointRecord, unknown>>;
  if (typeof sha256 !== 'string' || typeof state !== 'string') return 'unreadable';
  // A record copied under another version number is not that version.
  if (version !== stored.version) return 'version-mismatch';
  if (sha256Hex(state) !== sha256) return 'hash-mismatch';
  try {
    return { state: JSON.parse(state) as unknown };
  } catch {
    return 'unreadable';
  }
}

/** The newest version whose record is intact, and the newer ones skipped on the way. Pure. */
export function pickLatestValid(versions: readonly StoredCheckpointVersion[]): CheckpointPick {
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  const skipped: CheckpointRejection[] = [];
  for (const stored of newestFirst) {
    const checked = checkVersion(stored);
    if (typeof checked === 'string') {
      skipped.push({ version: stored.version, reason: checked });
      continue;
    }
    return { latest: { version: stored.version, state: checked.state }, skipped };
  }
  return { latest: undefined, skipped };
}

/** One warning line per load that had to skip versions, saying which, why, and what it fell back to. */
export function warnAboutSkippedVersions(logger: Logger, agent: string, eventId: string, pick: CheckpointPick): void {
  if (pick.skipped.length === 0) return;
  logger.warn(
    { agent, eventId, skipped: pick.skipped, resumedFromVersion: pick.latest?.version ?? null },
    pick.latest ? `checkpoint version failed its integrity check; resuming from version ${pick.latest.version}` : 'no checkpoint version passed its integrity check; starting from scratch',
  );
}
