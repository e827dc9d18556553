import type { Logger } from 'pino';
import { StoreUnavailableError } from '../redis/errors';
import { STATE_STORE_NAME, type StateBackend } from './backend';
import { encodeStateRecord, type NewStateVersion, type StoredStateVersion } from './record';
import type { AgentStateStoreOptions } from './store';
import { VersionedAgentStateStore } from './versioned-store';

interface KeyVersions {
  lastVersion: number;
  /** Record text per version, exactly as the Redis store keeps it, read through the same checks. */
  records: Map<number, string>;
}

/** State records in this process's memory. */
export class MemoryStateBackend implements StateBackend {
  readonly kind = 'memory' as const;
  private readonly agents = new Map<string, Map<string, KeyVersions>>();
  private closed = false;

  async append(agent: string, key: string, entry: NewStateVersion, keepVersions: number): Promise<number> {
    this.assertOpen();
    let keys = this.agents.get(agent);
    if (!keys) this.agents.set(agent, (keys = new Map<string, KeyVersions>()));
    let versions = keys.get(key);
    if (!versions) keys.set(key, (versions = { lastVersion: 0, records: new Map<number, string>() }));
    const version = versions.lastVersion + 1;
    versions.lastVersion = version;
    versions.records.set(version, encodeStateRecord(version, entry));
    for (const kept of versions.records.keys()) if (kept <= version - keepVersions) versions.records.delete(kept);
    return version;
  }

  async readAll(agent: string, key: string): Promise<StoredStateVersion[]> {
    this.assertOpen();
    return [...(this.records(agent, key) ?? [])].map(([version, record]) => ({ version, record }));
  }

  async readOne(agent: string, key: string, version: number): Promise<string | undefined> {
    this.assertOpen();
    return this.records(agent, key)?.get(version);
  }

  async keys(agent: string): Promise<string[]> {
    this.assertOpen();
    return [...(this.agents.get(agent)?.keys() ?? [])];
  }

  /** The stored text of each kept version of a key (a test corrupts one here); undefined for a key never saved. */
  records(agent: string, key: string): Map<number, string> | undefined {
    return this.agents.get(agent)?.get(key)?.records;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.agents.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError(STATE_STORE_NAME, 'the state store is closed');
  }
}

/** Agent state kept in this process: it survives retries and events, not a restart. */
export class MemoryAgentStateStore extends VersionedAgentStateStore {
  constructor(
    logger: Logger,
    options: AgentStateStoreOptions = {},
    /** Its records, for tests that corrupt one. */
    readonly storage: MemoryStateBackend = new MemoryStateBackend(),
  ) {
    super(storage, logger, options);
  }
}
