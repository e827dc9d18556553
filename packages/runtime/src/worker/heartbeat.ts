import type { Logger } from 'pino';
import type { EventCodec } from '../codec/codec';
import { EncodeError } from '../codec/errors';
import type { BatchProducer } from '../kafka/batch-producer';
import type { AgentHeartbeat, AgentStatus, OwnedPartition } from '../contracts/mesh-contracts.generated';
import type { LatencySummary } from './latency-window';

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
  /** Handler calls running now. */
  inFlight?: number;
  /** Every breaker's state by name. */
  breakers?: Readonly<Record<string, string>>;
  /** Handler durations since the last heartbeat; undefined when none ran. */
  latency?: LatencySummary;
  /** An active-passive agent's side; absent for other agents. */
  role?: 'active' | 'standby';
  /** The fencing token an active-passive agent holds. */
  fencingToken?: number;
}

export interface Identity {
  agent: string;
  instanceId: string;
  host: string;
  pid: number;
  version: string | null;
  topics: readonly string[];
  /** What sends the heartbeat; default agent. */
  kind?: 'agent' | 'coordinator';
  /** The consumer group it consumes as; default the agent's name. */
  group?: string;
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
    kind: id.kind ?? 'agent',
    group: id.group ?? id.agent,
    partitions: ownedPartitions(s.lagByPartition),
    inFlight: s.inFlight ?? null,
    breakers: { ...s.breakers },
    latencyP50Ms: s.latency?.p50Ms ?? null,
    latencyP99Ms: s.latency?.p99Ms ?? null,
    role: s.role ?? null,
    fencingToken: s.fencingToken ?? null,
  };
}

/** `topic/partition` keys (a topic may hold slashes, the partition never does) as records, in a stable order. */
function ownedPartitions(lagByPartition: ReadonlyMap<string, number>): OwnedPartition[] {
  const owned: OwnedPartition[] = [];
  for (const [key, lag] of lagByPartition) {
    const cut = key.lastIndexOf('/');
    const partition = Number(key.slice(cut + 1));
    if (cut <= 0 || !Number.isInteger(partition)) continue;
    owned.push({ topic: key.slice(0, cut), partition, lag: Math.max(0, lag) });
  }
  return owned.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** The heartbeat's store field; a registry that still holds the contract before it cannot encode it. */
const STORE_FIELD = 'idempotencyStore';

/** Fields added to the contract after its first version (each with a default): a registry holding an older version lacks some. */
const NEWER_FIELDS: ReadonlySet<string> = new Set([STORE_FIELD, 'kind', 'group', 'partitions', 'inFlight', 'breakers', 'latencyP50Ms', 'latencyP99Ms', 'role', 'fencingToken']);

/** How long heartbeats keep the older contract's shape before trying the full one again. */
const OLDER_CONTRACT_RECHECK_MS = 60_000;

/** The newer fields the registered contract lacks, when that is all `error` says; undefined for any other problem. */
export function lackedNewerFields(error: unknown): string[] | undefined {
  if (!(error instanceof EncodeError) || error.problems.length === 0) return undefined;
  const fields = error.problems.map((p) => p.field);
  return fields.every((f) => NEWER_FIELDS.has(f)) ? [...new Set(fields)] : undefined;
}

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
  /** The fields the registered contract lacked when it last refused one. */
  private lacked: readonly string[] = [];

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
   * Encodes with the topic's contract. A registry that still holds an older version of the contract refuses the
   * fields added since: the heartbeat then goes out without them (operators keep seeing the agent), and the agent
   * says once what is missing (without the store field `mesh dlq replay` cannot check its store).
   */
  private async encode(heartbeat: HeartbeatRecord): Promise<Buffer> {
    const { codec, logger, clock } = this.options;
    const older = (): Partial<HeartbeatRecord> => {
      const trimmed: Partial<HeartbeatRecord> = { ...heartbeat };
      for (const field of this.lacked) delete trimmed[field as keyof HeartbeatRecord];
      return trimmed;
    };
    // The full shape is tried again now and then: the contracts may have been registered since.
    if (this.olderContractAt !== undefined && clock() - this.olderContractAt < OLDER_CONTRACT_RECHECK_MS) return codec.encode(HEARTBEAT_TOPIC, older());
    try {
      const value = await codec.encode(HEARTBEAT_TOPIC, heartbeat);
      this.olderContractAt = undefined;
      return value;
    } catch (error) {
      const lacked = lackedNewerFields(error);
      if (!lacked) throw error;
      this.lacked = lacked;
      if (!this.warnedOlderContract)
        logger.warn(
          { topic: HEARTBEAT_TOPIC, missing: lacked },
          lacked.includes(STORE_FIELD)
            ? "the registered heartbeat contract predates 'idempotencyStore': heartbeats go out without the store's identity, so `mesh dlq replay` cannot check the store (register the contracts in schemas/ to fix)"
            : 'the registered heartbeat contract is older than this agent: heartbeats go out without its newer fields, so `mesh status` shows less (register the contracts in schemas/ to fix)',
        );
      this.warnedOlderContract = true;
      this.olderContractAt = clock();
      return codec.encode(HEARTBEAT_TOPIC, older());
    }
  }
}
