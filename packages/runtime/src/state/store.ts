import type { StoreFence } from '../activity/lease-store';
import type { Logger } from 'pino';
import type { SkippedStateVersion } from './errors';
import type { StateVersionInfo } from './record';

/** A version as loaded. */
export interface LoadedState<T = unknown> {
  state: T;
  version: number;
  /** Epoch ms of the save; null if the record does not say (its hash covers the state only). */
  savedAt: number | null;
  /** Newer versions that failed their integrity check and were passed over, newest first (empty when none). */
  skipped: SkippedStateVersion[];
}

/** A version just written. */
export interface SavedState {
  version: number;
  savedAt: number;
  sha256: string;
  /** Set by restore: the version this one copies. */
  restoredFrom?: number;
}

export interface LoadStateOptions {
  /** A given version instead of the newest intact one. */
  version?: number;
  /** Where a fall-back past corrupt versions is warned about; default the store's logger. */
  logger?: Logger;
}

/**
 * State an agent keeps across events, per (agent, key), in versions: every save adds one, with the
 * time and a SHA-256 of the state; the last `keepVersions` are kept. A load takes the newest version
 * whose hash matches, passing over (and reporting) corrupt ones. Nothing rewrites a version: a
 * restore saves a copy of an older one as the newest.
 */
export interface AgentStateStore {
  readonly kind: 'redis' | 'memory';
  /** Saves a new version (1, 2, ... per key) and drops the ones beyond the kept window. AgentStateValueError for state that is not JSON or too large. */
  save(agent: string, key: string, state: unknown, fence?: StoreFence): Promise<SavedState>;
  /** A given version: AgentStateVersionError when it is not kept or is corrupt. */
  load(agent: string, key: string, options: LoadStateOptions & { version: number }): Promise<LoadedState>;
  /**
   * The newest intact version (its `skipped` says which newer ones were corrupt, and a warning is
   * logged), or undefined when the key has none. AgentStateCorruptError when versions exist but none is intact.
   */
  load(agent: string, key: string, options?: LoadStateOptions): Promise<LoadedState | undefined>;
  /** The kept versions, newest first, each with its integrity; empty for a key never saved. */
  versions(agent: string, key: string): Promise<StateVersionInfo[]>;
  /** Saves a copy of `version` (which must be intact) as the newest version; the history stays. */
  restore(agent: string, key: string, version: number): Promise<SavedState>;
  /** The agent's keys, sorted. */
  keys(agent: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface AgentStateStoreOptions {
  /** Versions kept per key (older ones are the fall-backs for a corrupt newest one). Default 10. */
  keepVersions?: number;
  /** Largest state accepted, as UTF-8 JSON. Default 1 MiB. */
  maxStateBytes?: number;
  /** The clock of `savedAt`, in ms; tests pass a fake one. Default Date.now. */
  now?: () => number;
}

export const DEFAULT_AGENT_STATE_OPTIONS: Readonly<Required<Omit<AgentStateStoreOptions, 'now'>>> = {
  keepVersions: 10,
  maxStateBytes: 1024 * 1024,
};

export function resolveAgentStateOptions(options: AgentStateStoreOptions): Required<AgentStateStoreOptions> {
  const resolved: Required<AgentStateStoreOptions> = {
    keepVersions: options.keepVersions ?? DEFAULT_AGENT_STATE_OPTIONS.keepVersions,
    maxStateBytes: options.maxStateBytes ?? DEFAULT_AGENT_STATE_OPTIONS.maxStateBytes,
    now: options.now ?? Date.now,
  };
  for (const name of ['keepVersions', 'maxStateBytes'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`agent state ${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}
