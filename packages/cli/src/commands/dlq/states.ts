import type { HeldState, ReplayNote } from './agent-store';

/** Where a dead letter stands. */
export const DEAD_LETTER_STATES = ['open', 'replayed', 'resolved'] as const;
export type DeadLetterState = (typeof DEAD_LETTER_STATES)[number];

/** What `ls` keeps of each dead letter to tell its state. */
export interface LetterFacts {
  partition: number;
  offset: string;
  eventId: string;
  deadLetteredAt: number;
  /** `mesh-replay`: the record is a replay that failed again. */
  replay: string | null;
}

/** `<partition>@<offset>`: one dead letter of an agent (its DLQ is one topic). */
export function letterKey(letter: { partition: number; offset: string }): string {
  return `${letter.partition}@${letter.offset}`;
}

/** True when `later` was dead-lettered after `earlier`: later in time, or later in the same partition. */
function deadLetteredAfter(later: LetterFacts, earlier: LetterFacts): boolean {
  if (later.deadLetteredAt !== earlier.deadLetteredAt) return later.deadLetteredAt > earlier.deadLetteredAt;
  return later.partition === earlier.partition && BigInt(later.offset) > BigInt(earlier.offset);
}

/**
 * The state of each dead letter of one agent, in the order given.
 * - resolved: the agent's store holds a completion other than 'dead-lettered' for its event: the event
 *   was processed after it was dead-lettered, which only a replay does (known while the store keeps
 *   completions, 7 days);
 * - replayed: not resolved, and `mesh dlq replay` noted it as sent back, or a later dead letter of its
 *   event carries `mesh-replay` (it was replayed and failed again: that later one is open);
 * - open: neither; it waits for an operator.
 */
export function deadLetterStates(letters: readonly LetterFacts[], held: ReadonlyMap<string, HeldState>, notes: ReadonlyMap<string, ReplayNote>): DeadLetterState[] {
  const replaysByEvent = new Map<string, LetterFacts[]>();
  for (const letter of letters) {
    if (letter.replay === null) continue;
    const list = replaysByEvent.get(letter.eventId) ?? [];
    list.push(letter);
    replaysByEvent.set(letter.eventId, list);
  }
  return letters.map((letter) => {
    const h = held.get(letter.eventId);
    if (h?.state === 'done' && h.outcome !== 'dead-lettered') return 'resolved';
    // A note is only this record's when it names the same event (a topic deleted and made again reuses offsets).
    if (notes.get(letterKey(letter))?.eventId === letter.eventId) return 'replayed';
    if ((replaysByEvent.get(letter.eventId) ?? []).some((r) => r !== letter && deadLetteredAfter(r, letter))) return 'replayed';
    return 'open';
  });
}

export type StateCounts = Record<DeadLetterState, number>;

export function countStates(states: readonly DeadLetterState[]): StateCounts {
  const counts: StateCounts = { open: 0, replayed: 0, resolved: 0 };
  for (const s of states) counts[s] += 1;
  return counts;
}
