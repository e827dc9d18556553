import type { Logger } from 'pino';
import type { StateVersionInfo } from './record';
import type { AgentStateStore, LoadedState } from './store';

/**
 * What a handler sees as `ctx.state`: the agent's own versioned state, per key, kept across events
 * (in Redis under `mesh run` with Redis). Each save is a new version with its time and SHA-256; a
 * load takes the newest version whose hash matches, falling back past corrupt ones (with a warning
 * on the event's logger).
 */
export interface AgentStateHandle {
  /** The newest intact state of `key`, or undefined if none was saved. AgentStateCorruptError (permanent) when no kept version is intact. T is the caller's word: the state is not validated. */
  load<T = unknown>(key: string): Promise<T | undefined>;
  /** A given version of `key`: AgentStateVersionError (permanent) when it is not kept or is corrupt. */
  read<T = unknown>(key: string, version: number): Promise<LoadedState<T>>;
  /** As load, with the version, its time and the corrupt versions passed over. */
  read<T = unknown>(key: string): Promise<LoadedState<T> | undefined>;
  /** Saves `state` as the newest version of `key` and returns its number. AgentStateValueError (permanent) for state that is not JSON or too large. */
  save<T>(key: string, state: T): Promise<number>;
  /** The kept versions of `key`, newest first, each with its integrity. */
  versions(key: string): Promise<StateVersionInfo[]>;
  /** Saves a copy of an intact older version as the newest; returns the new version's number. */
  restore(key: string, version: number): Promise<number>;
  /** The agent's state keys, sorted. */
  keys(): Promise<string[]>;
}

/** The handle the worker puts on ctx.state; warnings go to the event's logger so they carry its ids. */
export function agentStateHandle(store: AgentStateStore, agent: string, logger: Logger): AgentStateHandle {
  async function read<T>(key: string, version?: number): Promise<LoadedState<T> | undefined> {
    const loaded = version === undefined ? await store.load(agent, key, { logger }) : await store.load(agent, key, { version, logger });
    return loaded as LoadedState<T> | undefined;
  }
  return {
    async load<T>(key: string): Promise<T | undefined> {
      return (await read<T>(key))?.state;
    },
    read: read as AgentStateHandle['read'],
    async save<T>(key: string, state: T): Promise<number> {
      const saved = await store.save(agent, key, state);
      logger.debug({ stateKey: key, stateVersion: saved.version }, 'state saved');
      return saved.version;
    },
    versions: (key) => store.versions(agent, key),
    async restore(key: string, version: number): Promise<number> {
      const saved = await store.restore(agent, key, version);
      logger.info({ stateKey: key, stateVersion: saved.version, restoredFrom: version }, 'state restored');
      return saved.version;
    },
    keys: () => store.keys(agent),
  };
}
