import type { Logger } from 'pino';
import { StoreUnavailableError } from '../redis/errors';
import { encodeCheckpointRecord, pickLatestValid, serializeCheckpointState, warnAboutSkippedVersions } from './record';
import { resolveCheckpointOptions, type CheckpointStore, type CheckpointStoreOptions, type LoadedCheckpoint } from './store';

export interface MemoryCheckpointStoreOptions extends CheckpointStoreOptions {
  /** The clock, in ms; tests pass a fake one. Default Date.now. */
  now?: () => number;
}

interface EventCheckpoints {
  lastVersion: number;
  /** Record text per version, exactly as the Redis store keeps it, read through the same checks. */
  records: Map<number, string>;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/** Checkpoints kept in this process: a retry in the same process resumes, a restart starts over. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly kind = 'memory' as const;
  private readonly events = new Map<string, EventCheckpoints>();
  private readonly settings: Required<CheckpointStoreOptions>;
  private readonly now: () => number;
  private nextSweepAt: number;
  private closed = false;

  constructor(
    private readonly logger: Logger,
    options: MemoryCheckpointStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.settings = resolveCheckpointOptions(options);
    this.nextSweepAt = this.now() + SWEEP_INTERVAL_MS;
  }

  async load(agent: string, eventId: string, logger: Logger = this.logger): Promise<LoadedCheckpoint | undefined> {
    this.assertOpen();
    const entry = this.live(agent, eventId);
    if (!entry) return undefined;
    const pick = pickLatestValid([...entry.records].map(([version, record]) => ({ version, record })));
    warnAboutSkippedVersions(logger, agent, eventId, pick);
    return pick.latest;
  }

  async loadMany(agent: string, eventIds: readonly string[], logger: Logger = this.logger): Promise<Map<string, LoadedCheckpoint | undefined>> {
    const loaded = new Map<string, LoadedCheckpoint | undefined>();
    for (const eventId of eventIds) loaded.set(eventId, await this.load(agent, eventId, logger));
    return loaded;
  }

  async save(agent: string, eventId: string, state: unknown): Promise<number> {
    this.assertOpen();
    const stateJson = serializeCheckpointState(state, this.settings.maxStateBytes);
    const entry = this.live(agent, eventId) ?? { lastVersion: 0, records: new Map<number, string>(), expiresAt: 0 };
    const version = entry.lastVersion + 1;
    entry.lastVersion = version;
    entry.records.set(version, encodeCheckpointRecord(version, stateJson));
    entry.records.delete(version - this.settings.keepVersions);
    entry.expiresAt = this.now() + this.settings.ttlMs;
    this.events.set(keyOf(agent, eventId), entry);
    this.sweep();
    return version;
  }

  async clear(agent: string, eventId: string): Promise<void> {
    this.assertOpen();
    this.events.delete(keyOf(agent, eventId));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.clear();
  }

  private live(agent: string, eventId: string): EventCheckpoints | undefined {
    const key = keyOf(agent, eventId);
    const entry = this.events.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.events.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired events now and then, so abandoned checkpoints do not pile up in a long-lived process. */
  private sweep(): void {
    const now = this.now();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [key, entry] of this.events) if (entry.expiresAt <= now) this.events.delete(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('checkpoint', 'the store is closed');
  }
}

function keyOf(agent: string, eventId: string): string {
  return `${agent}\u0000${eventId}`;
}
