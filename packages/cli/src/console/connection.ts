import { NoMeshError } from '../fleet';

/** How the console's reader stands with the cluster, shown as a banner when not `ok`. */
export type ConnectionState = 'connecting' | 'ok' | 'no-mesh' | 'unreachable';

export interface Connection {
  state: ConnectionState;
  /** One line for the banner; null when ok. */
  message: string | null;
  /** Since when it is in this state (epoch ms). */
  since: number;
  /** The last refresh that read the mesh. */
  lastOkAt: number | null;
}

export function initialConnection(now: number): Connection {
  return { state: 'connecting', message: 'connecting to the mesh', since: now, lastOkAt: null };
}

/** What one refresh found: a fleet with this many agents, or a failure. */
export type RefreshOutcome = { agents: number } | { error: unknown };

/** The connection after a refresh: a failure or an empty fleet says why in one line; the reader keeps trying. */
export function nextConnection(previous: Connection, outcome: RefreshOutcome, now: number, where: { brokers: readonly string[]; window: string }): Connection {
  const brokers = where.brokers.join(',');
  let state: ConnectionState;
  let message: string | null;
  if ('agents' in outcome) {
    state = outcome.agents > 0 ? 'ok' : 'no-mesh';
    message = outcome.agents > 0 ? null : `no mesh on ${brokers}: no agent has sent a heartbeat to mesh.heartbeats in the last ${where.window}`;
  } else if (outcome.error instanceof NoMeshError) {
    state = 'no-mesh';
    message = `no mesh on ${brokers}: ${outcome.error.message}`;
  } else {
    state = 'unreachable';
    const why = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    message = `cannot read the mesh on ${brokers}: ${why.split('\n')[0]}; reconnecting`;
  }
  const lastOkAt = 'agents' in outcome ? now : previous.lastOkAt;
  const since = state === previous.state ? previous.since : now;
  return { state, message, since, lastOkAt };
}
