/** The topic every agent process announces itself on. */
export const HEARTBEAT_TOPIC = 'mesh.heartbeats';

export type AgentStatus = 'STARTING' | 'READY' | 'DEGRADED' | 'STOPPING';

/** One heartbeat, shaped as the mesh/agent-heartbeat.avsc contract. */
export interface HeartbeatRecord {
  agent: string;
  instanceId: string;
  host: string;
  pid: number;
  status: AgentStatus;
  sentAt: number;
  assignedPartitions: number;
  consumerLag: number;
  openBreakers: string[];
  version: string | null;
  topics: string[];
  counters: Record<string, number>;
}

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
