import type { CheckpointRejection, CheckpointRejectionReason } from '../checkpoint/record';
import { PermanentError } from '../failure/errors';

/**
 * Why one stored version cannot be used: its record is unreadable, is stored under another version
 * number, or its state no longer matches its SHA-256 (the checkpoint store's checks, shared).
 */
export type StateVersionProblem = CheckpointRejectionReason;

/** A version passed over on the way to the newest intact one. */
export type SkippedStateVersion = CheckpointRejection;

/** A state key that cannot name state: empty, too long, or with control characters. Retrying will not help. */
export class InvalidStateKeyError extends PermanentError {
  override readonly name = 'InvalidStateKeyError';
}

/** A value that cannot be saved as state (no JSON form, or too large). Retrying will not help. */
export class AgentStateValueError extends PermanentError {
  override readonly name = 'AgentStateValueError';
}

/** A version asked for by number is not kept (never saved, or dropped from the kept window), or fails its integrity check. */
export class AgentStateVersionError extends PermanentError {
  override readonly name = 'AgentStateVersionError';
  constructor(
    readonly agent: string,
    readonly key: string,
    readonly version: number,
    readonly problem: 'missing' | StateVersionProblem,
  ) {
    super(problem === 'missing' ? `state '${key}' of agent '${agent}' has no version ${version}` : `version ${version} of state '${key}' of agent '${agent}' is corrupt (${problem})`);
  }
}

/** Versions of a key exist but none passes its integrity check: there is no good state to fall back to. */
export class AgentStateCorruptError extends PermanentError {
  override readonly name = 'AgentStateCorruptError';
  constructor(
    readonly agent: string,
    readonly key: string,
    readonly skipped: readonly SkippedStateVersion[],
  ) {
    super(`no version of state '${key}' of agent '${agent}' passes its integrity check (${skipped.map((s) => `version ${s.version}: ${s.reason}`).join(', ')})`);
  }
}
