import { Header, type Headers } from '../events/headers';
import type { ClaimResult, Outcome } from './store';

/** A record `mesh dlq replay` sent (it carries `mesh-replay`) that the worker dropped as a duplicate: what its warning says. */
export interface ReplayedDuplicate {
  eventId: string;
  /** The `mesh-replay` marker: which replay run sent it. */
  replay: string;
  topic: string;
  partition: number;
  offset: string;
  /** What made it a duplicate: the completion the store holds, or an earlier copy of it in the same batch or this process. */
  completion: Outcome | 'earlier copy';
}

/** The warning's message. A replay forgets the event's completion before sending it, so a completion still there usually means the replay ran against another store. */
export const REPLAYED_DUPLICATE_MESSAGE = 'replayed event dropped as a duplicate: the idempotency store still holds its completion (was `mesh dlq replay` run against another Redis or key prefix?)';

/**
 * For a record the worker drops as a duplicate: the facts of its warning when it is a replay, else
 * undefined. `claim` is the record's claim result (a completion, or none for a repeat).
 */
export function replayedDuplicate(record: { eventId: string; headers: Headers; topic: string; partition: number; offset: string }, claim: ClaimResult | undefined): ReplayedDuplicate | undefined {
  const replay = record.headers[Header.replay];
  if (replay === undefined) return undefined;
  return {
    eventId: record.eventId,
    replay,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    completion: claim?.state === 'done' ? claim.outcome : 'earlier copy',
  };
}
