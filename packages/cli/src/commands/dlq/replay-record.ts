import { randomBytes } from 'node:crypto';
import { Header, retryTopic, type Headers } from '@agentmesh/runtime';
import type { DeadLetter } from './dead-letter';

/** A record to produce: the dead letter on its way back into the agent's retry path. */
export interface ReplayRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

/** Names one `mesh dlq replay` run; carried in `mesh-replay` so a record that fails again says which run sent it. */
export interface ReplayRun {
  id: string;
  /** When the run started (epoch ms). */
  startedAt: number;
}

export function newReplayRun(now: number): ReplayRun {
  return { id: `replay-${randomBytes(4).toString('hex')}`, startedAt: now };
}

/** The `mesh-replay` value: `<replay id>@<ISO time of the run>`. */
export function replayMarker(run: ReplayRun): string {
  return `${run.id}@${new Date(run.startedAt).toISOString()}`;
}

/**
 * The record that sends a dead letter back through its agent's own retry path
 * (tier 0, never the shared source topic): same key, value bytes and headers,
 * so the event id, correlation, trace context and the whole failure history
 * carry on. These headers change:
 * - `mesh-event-id` is set when the record had none (to the id the worker
 *   derived, see readDeadLetter), so the event keeps that id from now on;
 * - `mesh-attempt` = 0: the worker counts a retry record's delivery as
 *   `mesh-attempt` + 1, so the replay is attempt 1 and gets its full retries;
 * - `mesh-due-at` = now: due at once, the worker does not hold it back;
 * - `mesh-replay` = the run's marker. The history is not given a synthetic
 *   entry (its entries are failures); an event that fails again reaches the DLQ
 *   with the old history, the new failures (their attempts counting from 1
 *   again) and this marker, which the worker carries along with the headers.
 */
export function buildReplayRecord(agent: string, letter: DeadLetter, run: ReplayRun, now: number): ReplayRecord {
  const { record } = letter;
  return {
    topic: retryTopic(agent, 0),
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [Header.eventId]: letter.eventId,
      [Header.attempt]: '0',
      [Header.dueAt]: String(now),
      [Header.replay]: replayMarker(run),
    },
  };
}
