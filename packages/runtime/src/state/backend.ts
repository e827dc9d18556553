import type { StoreFence } from '../activity/lease-store';
import type { StoreName } from '../redis/errors';
import type { NewStateVersion, StoredStateVersion } from './record';

/**
 * Where a versioned state store keeps its records: per (agent, key), a version counter and the text of
 * the kept versions. Only storage lives here (Redis or this process); what the records mean, and every
 * check, is VersionedAgentStateStore's, so both stores behave alike.
 */
export interface StateBackend {
  readonly kind: 'redis' | 'memory';
  /**
   * Allocates the next version atomically, writes its record (encodeStateRecord's text), drops versions at or below
   * `version - keepVersions`. A fenced append is refused (FencedError) once another instance holds the agent's lease.
   */
  append(agent: string, key: string, entry: NewStateVersion, keepVersions: number, fence?: StoreFence): Promise<number>;
  /** Every kept version's raw text, in no particular order; empty for a key never saved. */
  readAll(agent: string, key: string): Promise<StoredStateVersion[]>;
  /** One version's raw text, or undefined when it is not kept. */
  readOne(agent: string, key: string, version: number): Promise<string | undefined>;
  /** The agent's keys, in any order. */
  keys(agent: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The store name on this store's Redis connection and typed store errors. StoreName
 * (redis/errors.ts) has no 'state' yet; agent state is the checkpoint store's kin (versioned,
 * hash-checked), so its failures are labelled as the checkpoint store's until it does.
 */
export const STATE_STORE_NAME: StoreName = 'state';
