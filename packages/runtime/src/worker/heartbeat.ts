import type { Logger } from 'pino';
import type { EventCodec } from '../codec/codec';
import { EncodeError } from '../codec/errors';
import type { BatchProducer } from '../kafka/batch-producer';
import type { AgentHeartbeat, AgentStatus } from '../contracts/mesh-contracts.generated';

/** The topic every agent process announces itself on. */
export const HEARTBEAT_TOPIC = 'mesh.heartbeats';

/** One heartbeat: the mesh/agent-heartbeat.avsc contract's type, generated from it. */
export type HeartbeatRecord = AgentHeartbeat;

/** What the worker knows about itself when a heartbeat is due. */
export interface WorkerSnapshot {
  joined: boolean;
  stopping: boolean;
  pausedFor: string | undefined;
  assignedPartitions: number;
  lagByPartition: ReadonlyMap<string, number>;
  openBreakers: string[];
  counters: ReadonlyMap<string, number>;
}

export interface Identity {
  agent: string;
  instanceId: string;
  host: string;
  pid: number;
  version: string | null;
  topics: readonly string[];
}

export function statusOf(s: WorkerSnapshot): AgentStatus {
  if (s.stopping) return 'STOPPING';
  if (!s.joined) return 'STARTING';
  return s.pausedFor || s.openBreakers.length > 0 ? 'DEGRADED' : 'READY';
}

/** `idempotencyStore`: the identity of the store the process dedupes with (IdempotencyStore.identity), null when not known. */
export function buildHeartbeat(id: Identity, s: WorkerSnapshot, now: number, idempotencyStore: string | null = null): HeartbeatRecord {
  let lag = 0;
  for (const l of s.lagByPartition.values()) lag += Math.max(0, l);
  return {
    agent: id.agent,
    instanceId: id.instanceId,
    host: id.host,
    pid: id.pid,
    status: statusOf(s),
    sentAt: now,
    assignedPartitions: s.assignedPartitions,
    consumerLag: lag,
    openBreakers: [...s.openBreakers],
    version: id.version,
    topics: [...id.topics],
    counters: Object.fromEntries(s.counters),
    idempotencyStore,
  };
}

/** The heartbeat's field newest in its contract; a registry that still holds the contract before it cannot encode it. */
const STORE_FIELD = 'idempotencyStore';

/** How long heartbeats keep the older contract's shape before trying the full one again. */
const OLDER_CONTRACT_RECHECK_MS = 60_000;

/** True when `error` says the registered contract lacks the store field, and only that. */
export function lacksStoreField(error: unknown): boolean {
  return error instanceof EncodeError && error.problems.length > 0 && error.problems.every((p) => p.field === STORE_FIELD);
}

export interface HeartbeatPublisherOptions {
  identity: Identity;
  /** 0 turns heartbeats off. */
  everyMs: number;
  codec: EventCodec;
  producer: BatchProducer;
  logger: Logger;
  clock: () => number;
  snapshot: () => WorkerSnapshot;
  /** The idempotency store's identity (IdempotencyStore.identity), asked for every heartbeat; absent: announced as unknown. */
  storeIdentity?: () => Promise<string>;
}

/** Announces the process on mesh.heartbeats every `everyMs`, and once more as it stops. */
export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | undefined;
  private warned = false;
  /** The store's identity as last read: kept while the store cannot be asked (it did not change by going away). */
  private storeId: string | null = null;
  /** When the registry last refused the store field: heartbeats go out in the older contract's shape for a while. */
  private olderContractAt: number | undefined;
  private warnedOlderContract = false;

  constructor(private readonly options: HeartbeatPublisherOptions) {}

  start(): void {
    if (this.options.everyMs <= 0) return;
    this.timer = setInterval(() => void this.publish(), this.options.everyMs);
    this.timer.unref();
    void this.publish();
  }

  /** The last heartbeat says STOPPING, so operators see a clean leave, not a silence. */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.publish();
  }

  private async publish(): Promise<void> {
    const { identity, producer, clock, snapshot } = this.options;
    try {
      const value = await this.encode(buildHeartbeat(identity, snapshot(), clock(), await this.readStoreIdentity()));
      await producer.send([{ topic: HEARTBEAT_TOPIC, key: identity.instanceId, value }]);
    } catch (err) {
      // Heartbeats are for operators; failing to send one must never stop the agent.
      if (!this.warned) this.options.logger.warn({ error: (err as Error).message }, 'cannot publish heartbeats (will keep trying)');
      this.warned = true;
    }
  }

  private async readStoreIdentity(): Promise<string | null> {
    if (!this.options.storeIdentity) return null;
    try {
      this.storeId = await this.options.storeIdentity();
    } catch {
      // The store is away (the worker pauses and says so): announce the identity it had.
    }
    return this.storeId;
  }

  /**
   * Encodes with the topic's contract. A registry that still holds the contract from before the store
   * field refuses it: the heartbeat then goes out without it (operators keep seeing the agent), and the
   * agent says once that `mesh dlq replay` cannot check its store until the contracts are registered.
   */
  private async encode(heartbeat: HeartbeatRecord): Promise<Buffer> {
    const { codec, logger, clock } = this.options;
    const older = (): Omit<HeartbeatRecord, typeof STORE_FIELD> => {
      const { idempotencyStore: _omitted, ...rest } = heartbeat;
      return rest;
    };
    // The full shape is tried again now and then: the contracts may have been registered since.
    if (this.olderContractAt !== undefined && clock() - this.olderContractAt < OLDER_CONTRACT_RECHECK_MS) return codec.encode(HEARTBEAT_TOPIC, older());
    try {
      const value = await codec.encode(HEARTBEAT_TOPIC, heartbeat);
      this.olderContractAt = undefined;
      return value;
    } catch (error) {
      if (!lacksStoreField(error)) throw error;
      if (!this.warnedOlderContract)
        logger.warn(
          { topic: HEARTBEAT_TOPIC },
          "the registered heartbeat contract predates 'idempotencyStore': heartbeats go out without the store's identity, so `mesh dlq replay` cannot check the store (register the contracts in schemas/ to fix)",
        );
      this.warnedOlderContract = true;
      this.olderContractAt = clock();
      return codec.encode(HEARTBEAT_TOPIC, older());
    }
  }
}
