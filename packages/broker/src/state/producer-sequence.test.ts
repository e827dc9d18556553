import { ErrorCode } from '../protocol/errors';
import { decideSequence, lastSequenceOf, nextSequence, rememberBatch, type ProducerPartitionState } from './producer-sequence';

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
