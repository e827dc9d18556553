import { ErrorCode } from '../protocol/errors';

/** How many recent batches per producer and partition are remembered for duplicate detection. */
export const SEQUENCE_WINDOW = 5;

export interface RememberedBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

/** What one partition remembers of one idempotent producer. */
export interface ProducerPartitionState {
  epoch: number;
  recent: RememberedBatch[];
}

export type SequenceDecision = { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'reject'; errorCode: ErrorCode };

const INT32_MAX = 2 ** 31 - 1;

/** The sequence number that follows `seq`; sequences wrap to 0 after INT32_MAX. */
export function nextSequence(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

export function lastSequenceOf(firstSeq: number, recordCount: number): number {
  return (firstSeq + recordCount - 1) % (INT32_MAX + 1);
}

/**
 * Decides what to do with an idempotent batch, following the broker's rule:
 * duplicates of one of the last five batches are acknowledged with their
 * original offset, stale epochs and sequence gaps are refused.
 */
export function decideSequence(state: ProducerPartitionState | undefined, epoch: number, firstSeq: number, lastSeq: number): SequenceDecision {
  if (state === undefined) return { kind: 'append' };
  if (epoch === state.epoch) {
    const dup = state.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
  }
  if (epoch < state.epoch) return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
  if (epoch > state.epoch) return firstSeq === 0 ? { kind: 'append' } : { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  const last = state.recent[state.recent.length - 1];
  if (last && firstSeq !== nextSequence(last.lastSeq)) return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  return { kind: 'append' };
}

/** The state after appending a batch (a new epoch forgets the old window). */
export function rememberBatch(state: ProducerPartitionState | undefined, epoch: number, batch: RememberedBatch): ProducerPartitionState {
  const recent = state && state.epoch === epoch ? [...state.recent, batch] : [batch];
  if (recent.length > SEQUENCE_WINDOW) recent.shift();
  return { epoch, recent };
}

/** What producer state is rebuilt from: the batch header's producer fields and the offset the batch was stored at. */
export interface StoredProducerBatch {
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * Rebuilds what `append` remembers of idempotent producers from the stored
 * batches, oldest first (a restart replaying the log, as Kafka does without a
 * producer snapshot). Batches without a producer id or sequence take no part,
 * as on append. Only batches still in the log count: a producer whose batches
 * retention deleted is forgotten, and one whose window reaches below the log
 * start keeps the part that is left.
 */
export function rebuildProducerStates(batches: Iterable<StoredProducerBatch>): Map<number, ProducerPartitionState> {
  const states = new Map<number, ProducerPartitionState>();
  for (const b of batches) {
    if (b.producerId < 0 || b.baseSequence < 0) continue;
    const batch: RememberedBatch = { firstSeq: b.baseSequence, lastSeq: lastSequenceOf(b.baseSequence, b.recordCount), baseOffset: b.baseOffset };
    states.set(b.producerId, rememberBatch(states.get(b.producerId), b.producerEpoch, batch));
  }
  return states;
}

/**
 * The base offset of each producer's newest batch. Compaction keeps these
 * batches, so that a restart rebuilds every producer's last sequence (a
 * dropped one would make the producer's next batch look like a gap).
 */
export function newestBatchOffsets(states: ReadonlyMap<number, ProducerPartitionState>): Set<number> {
  const offsets = new Set<number>();
  for (const state of states.values()) {
    const newest = state.recent[state.recent.length - 1];
    if (newest) offsets.add(newest.baseOffset);
  }
  return offsets;
}
