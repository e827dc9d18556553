import type { StoreFence } from '../activity/lease-store';
import type { Logger } from 'pino';
import type { StateBackend } from './backend';
import { AgentStateCorruptError, AgentStateVersionError } from './errors';
import { assertStateAgent, assertStateKey } from './keys';
import { checkStateVersion, describeStateVersions, newStateVersion, pickNewestIntact, serializeState, type NewStateVersion, type StateVersionInfo } from './record';
import { resolveAgentStateOptions, type AgentStateStore, type AgentStateStoreOptions, type LoadedState, type LoadStateOptions, type SavedState } from './store';

/** The agent state store over a storage backend: version selection, integrity checks, restore. */
export class VersionedAgentStateStore implements AgentStateStore {
  readonly kind: 'redis' | 'memory';
  private readonly settings: Required<AgentStateStoreOptions>;

  constructor(
    private readonly backend: StateBackend,
    private readonly logger: Logger,
    options: AgentStateStoreOptions = {},
  ) {
    this.kind = backend.kind;
    this.settings = resolveAgentStateOptions(options);
  }

  async save(agent: string, key: string, state: unknown, fence?: StoreFence): Promise<SavedState> {
    assertNames(agent, key);
    const stateJson = serializeState(agent, key, state, this.settings.maxStateBytes);
    return this.append(agent, key, newStateVersion(stateJson, this.settings.now()), fence);
  }

  load(agent: string, key: string, options: LoadStateOptions & { version: number }): Promise<LoadedState>;
  load(agent: string, key: string, options?: LoadStateOptions): Promise<LoadedState | undefined>;
  async load(agent: string, key: string, options: LoadStateOptions = {}): Promise<LoadedState | undefined> {
    assertNames(agent, key);
    if (options.version !== undefined) return this.loadVersion(agent, key, options.version);
    const versions = await this.backend.readAll(agent, key);
    if (versions.length === 0) return undefined;
    const pick = pickNewestIntact(versions);
    if (!pick.latest) {
      (options.logger ?? this.logger).warn({ agent, stateKey: key, skipped: pick.skipped }, `no version of state '${key}' passes its integrity check`);
      throw new AgentStateCorruptError(agent, key, pick.skipped);
    }
    if (pick.skipped.length > 0) {
      const skippedList = pick.skipped.map((s) => `${s.version} (${s.reason})`).join(', ');
      (options.logger ?? this.logger).warn(
        { agent, stateKey: key, skipped: pick.skipped, loadedVersion: pick.latest.version },
        `state '${key}': version ${skippedList} failed its integrity check; loaded version ${pick.latest.version}`,
      );
    }
    return { ...pick.latest, skipped: pick.skipped };
  }

  async versions(agent: string, key: string): Promise<StateVersionInfo[]> {
    assertNames(agent, key);
    return describeStateVersions(await this.backend.readAll(agent, key));
  }

  async restore(agent: string, key: string, version: number): Promise<SavedState> {
    assertNames(agent, key);
    const source = await this.readVersion(agent, key, version);
    // The exact text that passed its hash check: the copy has the same SHA-256.
    return this.append(agent, key, newStateVersion(source.stateJson, this.settings.now(), version));
  }

  async keys(agent: string): Promise<string[]> {
    assertStateAgent(agent);
    return (await this.backend.keys(agent)).sort();
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  private async loadVersion(agent: string, key: string, version: number): Promise<LoadedState> {
    const { state, savedAt } = await this.readVersion(agent, key, version);
    return { state, version, savedAt, skipped: [] };
  }

  private async readVersion(agent: string, key: string, version: number): Promise<{ state: unknown; stateJson: string; savedAt: number | null }> {
    if (!Number.isSafeInteger(version) || version < 1) throw new AgentStateVersionError(agent, key, version, 'missing');
    const record = await this.backend.readOne(agent, key, version);
    if (record === undefined) throw new AgentStateVersionError(agent, key, version, 'missing');
    const checked = checkStateVersion({ version, record });
    if (typeof checked === 'string') throw new AgentStateVersionError(agent, key, version, checked);
    return checked;
  }

  private async append(agent: string, key: string, entry: NewStateVersion, fence?: StoreFence): Promise<SavedState> {
    const version = await this.backend.append(agent, key, entry, this.settings.keepVersions, fence);
    return { version, savedAt: entry.savedAt, sha256: entry.sha256, ...(entry.restoredFrom !== undefined ? { restoredFrom: entry.restoredFrom } : {}) };
  }
}

function assertNames(agent: string, key: string): void {
  assertStateAgent(agent);
  assertStateKey(key);
}
