import type { StoreFence } from '../activity/lease-store';
import { StoreUnavailableError } from '../redis/errors';
import { STATE_STORE_NAME } from './backend';
import type { StateVersionInfo } from './record';
import type { AgentStateStore, LoadedState, LoadStateOptions, SavedState } from './store';

/**
 * A state store opened on first use: a worker gets one by default, and most agents never touch
 * ctx.state, so they never open its connection.
 */
export class LazyAgentStateStore implements AgentStateStore {
  private opened: AgentStateStore | undefined;
  private closed = false;

  constructor(
    readonly kind: 'redis' | 'memory',
    private readonly open: () => AgentStateStore,
  ) {}

  /** Whether the store was ever used (and so opened). */
  get isOpen(): boolean {
    return this.opened !== undefined;
  }

  async save(agent: string, key: string, state: unknown, fence?: StoreFence): Promise<SavedState> {
    return this.store().save(agent, key, state, fence);
  }

  load(agent: string, key: string, options: LoadStateOptions & { version: number }): Promise<LoadedState>;
  load(agent: string, key: string, options?: LoadStateOptions): Promise<LoadedState | undefined>;
  async load(agent: string, key: string, options?: LoadStateOptions): Promise<LoadedState | undefined> {
    return this.store().load(agent, key, options);
  }

  async versions(agent: string, key: string): Promise<StateVersionInfo[]> {
    return this.store().versions(agent, key);
  }

  async restore(agent: string, key: string, version: number): Promise<SavedState> {
    return this.store().restore(agent, key, version);
  }

  async keys(agent: string): Promise<string[]> {
    return this.store().keys(agent);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opened?.close();
  }

  /** Throws rather than rejects: every caller is async, so a throw reaches its caller as a rejection. */
  private store(): AgentStateStore {
    if (this.closed) throw new StoreUnavailableError(STATE_STORE_NAME, 'the state store is closed');
    this.opened ??= this.open();
    return this.opened;
  }
}
