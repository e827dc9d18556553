/**
 * What became of one DLQ record in a replay run. `settled` ones may fall
 * behind the replay cursor; the others must stay ahead of it so a later
 * replay (with other filters, or once the event is no longer in flight)
 * still sees them.
 */
export type RecordFate =
  /** Sent back to `<agent>.retry.0`. */
  | 'replayed'
  /** Its event was processed since (an earlier replay succeeded): replaying it would run it twice. */
  | 'already-processed'
  /** Another record of the same event was handled earlier in this run (the DLQ holds one per failed replay). */
  | 'same-event-handled'
  /** The filters did not take it. */
  | 'not-matching'
  /** A worker holds its lease right now (a replay of it is being processed). */
  | 'in-flight';

export function isSettled(fate: RecordFate): boolean {
  return fate === 'replayed' || fate === 'already-processed' || fate === 'same-event-handled';
}

/**
 * The replay cursor of one partition: the offset after the longest run of
 * settled records from where the run started. The first unsettled record
 * blocks it for the rest of the run, records after it stay ahead (and are
 * guarded by the idempotency store when they are read again).
 */
export class PartitionCursor {
  private blocked = false;
  private position: bigint | undefined;

  /** Records the fate of the next record, in offset order. */
  record(offset: bigint, fate: RecordFate): void {
    if (this.blocked) return;
    if (isSettled(fate)) this.position = offset + 1n;
    else this.blocked = true;
  }

  /** The offset to commit, when it moved. */
  get committable(): bigint | undefined {
    return this.position;
  }
}
