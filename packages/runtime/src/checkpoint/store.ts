import type { Logger } from 'pino';
import type { StoreFence } from '../activity/lease-store';
import { PermanentError } from '../failure/errors';

/** The newest intact checkpoint of one event. */
export interface LoadedCheckpoint {
  state: unknown;
  version: number;
}

/**
 * Versioned step state of a long handler, per (agent, event id), so a retry
 * resumes where the last attempt got to. Each version carries a SHA-256 of its
 * state; a version that fails the check is skipped for the previous good one.
 */
export interface CheckpointStore {
  readonly kind: 'redis' | 'memory';
  /**
   * The newest version whose hash matches, or undefined when there is none.
   * Skipped (corrupt) versions are warned about on `logger` (the event's logger,
   * so the warning carries its ids), else on the store's own.
   */
  load(agent: string, eventId: string, logger?: Logger): Promise<LoadedCheckpoint | undefined>;
  /** `load` of several events in one round trip (the Redis store pipelines them): each id's checkpoint, or undefined. */
  loadMany(agent: string, eventIds: readonly string[], logger?: Logger): Promise<Map<string, LoadedCheckpoint | undefined>>;
  /**
   * Stores a new version and returns its number (1, 2, ...); older versions beyond the kept few are dropped.
   * With a fence (an active-passive agent's active instance) the Redis store refuses the write with
   * FencedError once another instance holds the lease; the memory store has no other instance to fear.
   */
  save(agent: string, eventId: string, state: unknown, fence?: StoreFence): Promise<number>;
  /** Drops every version (the event is finished). */
  clear(agent: string, eventId: string): Promise<void>;
  close(): Promise<void>;
}

export interface CheckpointStoreOptions {
  /** How long an event's checkpoints live after their last save. Default 7 days. */
  ttlMs?: number;
  /** Versions kept per event (older ones are fallbacks for a corrupted newest). Default 5. */
  keepVersions?: number;
  /** Largest state accepted, as UTF-8 JSON. Default 1 MiB. */
  maxStateBytes?: number;
}

export const DEFAULT_CHECKPOINT_OPTIONS: Readonly<Required<CheckpointStoreOptions>> = {
  ttlMs: 7 * 24 * 60 * 60 * 1000,
  keepVersions: 5,
  maxStateBytes: 1024 * 1024,
};

/** The state cannot be checkpointed (not JSON-serializable, or too large). Retrying will not help. */
export class CheckpointStateError extends PermanentError {
  override readonly name = 'CheckpointStateError';
}

export function resolveCheckpointOptions(options: CheckpointStoreOptions): Required<CheckpointStoreOptions> {
  const resolved: Required<CheckpointStoreOptions> = {
    ttlMs: options.ttlMs ?? DEFAULT_CHECKPOINT_OPTIONS.ttlMs,
    keepVersions: options.keepVersions ?? DEFAULT_CHECKPOINT_OPTIONS.keepVersions,
    maxStateBytes: options.maxStateBytes ?? DEFAULT_CHECKPOINT_OPTIONS.maxStateBytes,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`checkpoint ${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}
