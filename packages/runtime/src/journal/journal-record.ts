/**
 * The journal of one event's steps, as stored: each completed step's result by name. Kept as the state of a
 * checkpoint of its own (`journalId`), so it has the checkpoint store's versions, integrity checks and expiry.
 */
export interface StepJournalState {
  steps: Record<string, { value?: unknown }>;
}

/** The checkpoint id of an event's step journal: apart from the handler's own ctx.checkpoint. */
export function journalId(eventId: string): string {
  return `${eventId}~steps`;
}

/** A loaded checkpoint's state read as a journal; anything else (never written by us) counts as empty. */
export function asJournal(state: unknown): StepJournalState {
  if (typeof state !== 'object' || state === null) return { steps: {} };
  const steps = (state as { steps?: unknown }).steps;
  if (typeof steps !== 'object' || steps === null || Array.isArray(steps)) return { steps: {} };
  return { steps: { ...(steps as Record<string, { value?: unknown }>) } };
}
