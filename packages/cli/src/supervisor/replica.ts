// The replica's side of supervision: what a `mesh run` started by a supervisor reads from its
// environment, and what it tells the supervisor over the IPC channel the supervisor opened.

/** Which replica of the supervisor this process is (0-based). */
export const REPLICA_ENV = 'MESH_REPLICA';
/** How many times the supervisor has restarted this replica. */
export const RESTARTS_ENV = 'MESH_RESTARTS';

export interface ReplicaIdentity {
  replica: number;
  restarts: number;
}

function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/** This process's replica number and restart count, when a supervisor started it; undefined otherwise. */
export function replicaFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicaIdentity | undefined {
  const replica = wholeNumber(env[REPLICA_ENV]);
  if (replica === undefined) return undefined;
  return { replica, restarts: wholeNumber(env[RESTARTS_ENV]) ?? 0 };
}

/** The message a replica sends its supervisor once it has joined its group. */
export interface ReplicaReadyMessage {
  kind: 'mesh-replica-ready';
  agent: string;
  /** Base URL of its /metrics, /health and /ready, when served. */
  observabilityUrl: string | undefined;
}

export function isReplicaReadyMessage(message: unknown): message is ReplicaReadyMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<ReplicaReadyMessage>;
  return m.kind === 'mesh-replica-ready' && typeof m.agent === 'string' && (m.observabilityUrl === undefined || typeof m.observabilityUrl === 'string');
}

/**
 * For a replica, once it handles SIGTERM (call it after `stopOnSignals`): says `ready` to the
 * supervisor, and stops the process as SIGTERM does (draining) when the supervisor goes away (a
 * kill -9 of it), so no replica outlives its supervisor. Without an IPC channel (not started by a
 * supervisor) it does nothing. The channel does not keep the process alive.
 */
export function attachToSupervisor(): { ready(message: Omit<ReplicaReadyMessage, 'kind'>): void } {
  const send = process.send?.bind(process);
  if (!send) return { ready: () => {} };
  const supervisorGone = () => {
    process.stderr.write('the supervisor is gone: stopping\n');
    process.kill(process.pid, 'SIGTERM');
  };
  if (!process.connected) {
    supervisorGone();
    return { ready: () => {} };
  }
  process.channel?.unref();
  // A replica already stopping (its supervisor sent SIGTERM, then died) keeps draining: a second signal would cut that short.
  let signalled = false;
  process.once('SIGTERM', () => (signalled = true));
  process.once('SIGINT', () => (signalled = true));
  process.once('disconnect', () => {
    if (!signalled) supervisorGone();
  });
  return {
    ready(message) {
      const full: ReplicaReadyMessage = { kind: 'mesh-replica-ready', ...message };
      if (process.connected) send(full, undefined, {}, () => {});
    },
  };
}
