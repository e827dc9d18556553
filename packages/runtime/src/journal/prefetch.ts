import type { ClaimResult } from '../idempotency/store';
import type { LoadedCheckpoint } from '../checkpoint/store';
import { asJournal, journalId, type StepJournalState } from './journal-record';

/**
 * Which events of a fetched batch get their step journal read up front, in one round trip for the batch, so
 * ctx.step's first read costs nothing: none until the agent has used ctx.step (an agent without steps pays
 * nothing), then every event this instance claimed to run (not a repeat in the batch, not done, not busy).
 */
export function journalsToPrefetch(eventIds: readonly string[], repeats: readonly boolean[], claims: ReadonlyMap<string, ClaimResult>, stepsSeen: boolean): string[] {
  if (!stepsSeen) return [];
  return eventIds.filter((id, i) => !repeats[i] && claims.get(id)?.state === 'acquired');
}

/** The checkpoint ids the prefetch reads: each event's journal. */
export function prefetchIds(eventIds: readonly string[]): string[] {
  return eventIds.map(journalId);
}

/** The loaded journals by event id; an event with none stored starts with an empty journal. */
export function prefetchedJournals(eventIds: readonly string[], loaded: ReadonlyMap<string, LoadedCheckpoint | undefined>): Map<string, StepJournalState> {
  return new Map(eventIds.map((id) => [id, asJournal(loaded.get(journalId(id))?.state)]));
}
