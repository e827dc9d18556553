import type { Logger } from 'pino';
import type { EventCodec } from '../codec/codec';
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

export function buildHeartbeat(id: Identity, s: WorkerSnapshot, now: number): HeartbeatRecord {
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
  };
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
}

/** Announces the process on mesh.heartbeats every `everyMs`, and once more as it stops. */
export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

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
    const { identity, codec, producer, clock, snapshot } = this.options;
    try {
      const value = await codec.encode(HEARTBEAT_TOPIC, buildHeartbeat(identity, snapshot(), clock()));
      await producer.send([{ topic: HEARTBEAT_TOPIC, key: identity.instanceId, value }]);
    } catch (err) {
      // Heartbeats are for operators; failing to send one must never stop the agent.
      if (!this.warned) this.options.logger.warn({ error: (err as Error).message }, 'cannot publish heartbeats (will keep trying)');
      this.warned = true;
    }
  }
}
