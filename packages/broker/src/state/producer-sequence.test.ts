import { ErrorCode } from '../protocol/errors';
import { decideSequence, lastSequenceOf, newestBatchOffsets, nextSequence, rebuildProducerStates, rememberBatch, type ProducerPartitionState, type StoredProducerBatch } from './producer-sequence';

const state = (epoch: number, ...batches: Array<[number, number, number]>): ProducerPartitionState => ({
  epoch,
  recent: batches.map(([firstSeq, lastSeq, baseOffset]) => ({ firstSeq, lastSeq, baseOffset })),
});

describe('idempotent producer sequence rule', () => {
  it('accepts any sequence from a producer it has no state for', () => {
    expect(decideSequence(undefined, 0, 42, 50)).toEqual({ kind: 'append' });
  });

  it('answers a duplicate of one of the last five batches with its original offset', () => {
    const s = state(0, [0, 9, 100], [10, 19, 110]);
    expect(decideSequence(s, 0, 0, 9)).toEqual({ kind: 'duplicate', baseOffset: 100 });
    expect(decideSequence(s, 0, 10, 19)).toEqual({ kind: 'duplicate', baseOffset: 110 });
  });

  it('accepts the next sequence and refuses a gap', () => {
    const s = state(0, [0, 9, 100]);
    expect(decideSequence(s, 0, 10, 12)).toEqual({ kind: 'append' });
    expect(decideSequence(s, 0, 11, 12)).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('refuses an older epoch and a newer epoch that does not start at zero', () => {
    const s = state(3, [0, 9, 100]);
    expect(decideSequence(s, 2, 10, 12)).toEqual({ kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(decideSequence(s, 4, 5, 6)).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(decideSequence(s, 4, 0, 6)).toEqual({ kind: 'append' });
  });

  it('wraps sequences after INT32_MAX', () => {
    expect(nextSequence(2 ** 31 - 1)).toBe(0);
    expect(lastSequenceOf(2 ** 31 - 2, 3)).toBe(0);
    const s = state(0, [2 ** 31 - 3, 2 ** 31 - 1, 5]);
    expect(decideSequence(s, 0, 0, 4)).toEqual({ kind: 'append' });
  });

  it('keeps only the last five batches and forgets them on a new epoch', () => {
    let s: ProducerPartitionState | undefined;
    for (let i = 0; i < 7; i++) s = rememberBatch(s, 0, { firstSeq: i, lastSeq: i, baseOffset: i });
    expect(s!.recent.map((b) => b.firstSeq)).toEqual([2, 3, 4, 5, 6]);
    expect(decideSequence(s, 0, 1, 1)).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    s = rememberBatch(s, 1, { firstSeq: 0, lastSeq: 0, baseOffset: 9 });
    expect(s.recent).toHaveLength(1);
  });
});

describe('rebuilding producer state from the stored batches', () => {
  /** A stored batch: producer id, epoch, base sequence, record count, base offset. */
  const stored = (producerId: number, producerEpoch: number, baseSequence: number, recordCount: number, baseOffset: number): StoredProducerBatch => ({
    producerId,
    producerEpoch,
    baseSequence,
    recordCount,
    baseOffset,
  });

  /** What append remembers for the same batches, one after the other. */
  function appended(batches: StoredProducerBatch[]): Map<number, ProducerPartitionState> {
    const states = new Map<number, ProducerPartitionState>();
    for (const b of batches) {
      if (b.producerId < 0 || b.baseSequence < 0) continue;
      const decision = decideSequence(states.get(b.producerId), b.producerEpoch, b.baseSequence, lastSequenceOf(b.baseSequence, b.recordCount));
      expect(decision).toEqual({ kind: 'append' });
      states.set(
        b.producerId,
        rememberBatch(states.get(b.producerId), b.producerEpoch, { firstSeq: b.baseSequence, lastSeq: lastSequenceOf(b.baseSequence, b.recordCount), baseOffset: b.baseOffset }),
      );
    }
    return states;
  }

  it('has nothing to rebuild from an empty log or one without idempotent batches', () => {
    expect(rebuildProducerStates([])).toEqual(new Map());
    expect(rebuildProducerStates([stored(-1, -1, -1, 3, 0), stored(-1, -1, -1, 1, 3)])).toEqual(new Map());
  });

  it('rebuilds what append remembered: the epoch and the last five batches of each producer, interleaved producers and plain batches included', () => {
    const log: StoredProducerBatch[] = [];
    let offset = 0;
    const seq = new Map<number, number>();
    for (let i = 0; i < 23; i++) {
      const producerId = i % 3 === 2 ? -1 : 1000 + (i % 2);
      const count = 1 + (i % 4);
      const first = producerId < 0 ? -1 : (seq.get(producerId) ?? 0);
      log.push(stored(producerId, producerId < 0 ? -1 : 0, first, count, offset));
      if (producerId >= 0) seq.set(producerId, first + count);
      offset += count;
    }
    const rebuilt = rebuildProducerStates(log);
    expect(rebuilt).toEqual(appended(log));
    expect([...rebuilt.keys()].sort()).toEqual([1000, 1001]);
    expect(rebuilt.get(1000)!.recent).toHaveLength(5);
  });

  it('answers a retry of any of the last five batches as a duplicate with its original offset, and still refuses gaps', () => {
    const states = rebuildProducerStates([stored(7, 0, 0, 2, 10), stored(7, 0, 2, 1, 15), stored(7, 0, 3, 3, 20)]);
    expect(decideSequence(states.get(7), 0, 3, 5)).toEqual({ kind: 'duplicate', baseOffset: 20 });
    expect(decideSequence(states.get(7), 0, 0, 1)).toEqual({ kind: 'duplicate', baseOffset: 10 });
    expect(decideSequence(states.get(7), 0, 6, 6)).toEqual({ kind: 'append' });
    expect(decideSequence(states.get(7), 0, 8, 8)).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(decideSequence(states.get(7), 0, 4, 6)).toEqual({ kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  it('keeps only the newest epoch of a producer, so the older one is refused', () => {
    const states = rebuildProducerStates([stored(7, 0, 0, 1, 0), stored(7, 0, 1, 1, 1), stored(7, 1, 0, 1, 2)]);
    expect(states.get(7)).toEqual({ epoch: 1, recent: [{ firstSeq: 0, lastSeq: 0, baseOffset: 2 }] });
    expect(decideSequence(states.get(7), 0, 2, 2)).toEqual({ kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  it('takes each batch’s last sequence from its record count, wrapping after INT32_MAX', () => {
    const states = rebuildProducerStates([stored(7, 0, 2 ** 31 - 2, 4, 0)]);
    expect(states.get(7)!.recent).toEqual([{ firstSeq: 2 ** 31 - 2, lastSeq: 1, baseOffset: 0 }]);
    expect(decideSequence(states.get(7), 0, 2, 2)).toEqual({ kind: 'append' });
  });

  it('rebuilds from what is left when retention cut the log inside a producer’s window', () => {
    // Batches at offsets 0 and 1 were deleted with their segment; 2..4 are what the restart sees.
    const states = rebuildProducerStates([stored(7, 0, 2, 1, 2), stored(7, 0, 3, 1, 3), stored(7, 0, 4, 1, 4)]);
    expect(states.get(7)!.recent.map((b) => b.firstSeq)).toEqual([2, 3, 4]);
    expect(decideSequence(states.get(7), 0, 5, 5)).toEqual({ kind: 'append' });
    expect(decideSequence(states.get(7), 0, 3, 3)).toEqual({ kind: 'duplicate', baseOffset: 3 });
  });

  it('names the newest batch of each producer', () => {
    const states = rebuildProducerStates([stored(7, 0, 0, 1, 0), stored(8, 0, 0, 1, 1), stored(7, 0, 1, 1, 2), stored(-1, -1, -1, 1, 3)]);
    expect(newestBatchOffsets(states)).toEqual(new Set([2, 1]));
  });
});
