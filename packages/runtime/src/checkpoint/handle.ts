import type { Logger } from 'pino';
import type { CheckpointStore } from './store';

/**
 * What a handler sees as `ctx.checkpoint`: the step state of the event it is
 * handling. `load` returns the newest intact state saved by an earlier attempt
 * (a retry resumes there); `save` records a new version.
 */
export interface CheckpointHandle {
  /** The last saved state, or undefined on a first attempt. T is the caller's word: the state is not validated. */
  load<T = unknown>(): Promise<T | undefined>;
  /** Saves a new version; rejects with CheckpointStateError (permanent) for state that is not JSON or too large. */
  save<T>(state: T): Promise<void>;
}

/** The handle the worker puts on ctx.checkpoint for one event; logs go to the event's logger so they carry its ids. */
export function checkpointHandle(store: CheckpointStore, agent: string, eventId: string, logger: Logger): CheckpointHandle {
  return {
    async load<T>(): Promise<T | undefined> {
      const loaded = await store.load(agent, eventId, logger);
      if (!loaded) return undefined;
      logger.info({ checkpointVersion: loaded.version }, 'resuming from checkpoint');
      return loaded.state as T;
    },
    async save<T>(state: T): Promise<void> {
      const version = await store.save(agent, eventId, state);
      logger.debug({ checkpointVersion: version }, 'checkpoint saved');
    },
  };
}
