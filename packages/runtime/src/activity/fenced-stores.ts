import type { Logger } from 'pino';
import type { CheckpointStore, LoadedCheckpoint } from '../checkpoint/store';
import type { StateVersionInfo } from '../state/record';
import type { AgentStateStore, LoadedState, LoadStateOptions, SavedState } from '../state/store';
import type { StoreFence } from './lease-store';

/** What a fenced store asks before each write: is this instance still the active one, and the fence to carry. */
export interface WriteFence {
  assertLive(): void;
  fence(): StoreFence | undefined;
}

/** The agent's checkpoint store as its active instance writes it: every save checked here and in the store. */
export class FencedCheckpointStore implements CheckpointStore {
  readonly kind: 'redis' | 'memory';

  constructor(
    private readonly store: CheckpointStore,
    private readonly lease: WriteFence,
  ) {
    this.kind = store.kind;
  }

  load(agent: string, eventId: string, logger?: Logger): Promise<LoadedCheckpoint | undefined> {
    return this.store.load(agent, eventId, logger);
  }

  loadMany(agent: string, eventIds: readonly string[], logger?: Logger): Promise<Map<string, LoadedCheckpoint | undefined>> {
    return this.store.loadMany(agent, eventIds, logger);
  }

  async save(agent: string, eventId: string, state: unknown): Promise<number> {
    this.lease.assertLive();
    return this.store.save(agent, eventId, state, this.lease.fence());
  }

  clear(agent: string, eventId: string): Promise<void> {
    return this.store.clear(agent, eventId);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** The agent's state store as its active instance writes it: every save and restore checked first. */
export class FencedAgentStateStore implements AgentStateStore {
  readonly kind: 'redis' | 'memory';

  constructor(
    private readonly store: AgentStateStore,
    private readonly lease: WriteFence,
  ) {
    this.kind = store.kind;
  }

  async save(agent: string, key: string, state: unknown): Promise<SavedState> {
    this.lease.assertLive();
    return this.store.save(agent, key, state, this.lease.fence());
  }

  load(agent: string, key: string, options: LoadStateOptions & { version: number }): Promise<LoadedState>;
  load(agent: string, key: string, options?: LoadStateOptions): Promise<LoadedState | undefined>;
  load(agent: string, key: string, options?: LoadStateOptions): Promise<LoadedState | undefined> {
    return this.store.load(agent, key, options);
  }

  versions(agent: string, key: string): Promise<StateVersionInfo[]> {
    return this.store.versions(agent, key);
  }

  async restore(agent: string, key: string, version: number): Promise<SavedState> {
    this.lease.assertLive();
    return this.store.restore(agent, key, version);
  }

  keys(agent: string): Promise<string[]> {
    return this.store.keys(agent);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
