import { ErrorCode } from '../protocol/errors';
import {
  addOffsets,
  addPartitions,
  addPendingOffsets,
  checkTransactionalProduce,
  completeTransaction,
  endTransaction,
  expire,
  expiryOf,
  initProducer,
  MAX_PRODUCER_EPOCH,
  MAX_TRANSACTION_TIMEOUT_MS,
  recover,
  type TxnMetadata,
  type TxnOutcome,
} from './txn-state';

const ID = 'orders-tx';
const TIMEOUT = 60_000;
const P0 = { topic: 'out', partition: 0 };
const P1 = { topic: 'out', partition: 1 };

let nextId = 100;
const allocate = () => nextId++;

beforeEach(() => {
  nextId = 100;
});

/** The metadata an outcome leads to once the shell has carried out its completion. */
function settle(current: TxnMetadata | undefined, outcome: TxnOutcome): TxnMetadata {
  expect(outcome.errorCode).toBe(ErrorCode.NONE);
  const next = outcome.next ?? current!;
  return outcome.completion ? completeTransaction(next) : next;
}

function initialised(): TxnMetadata {
  return settle(undefined, initProducer(undefined, { transactionalId: ID, timeoutMs: TIMEOUT, expected: null }, allocate));
}

const producerOf = (m: TxnMetadata) => ({ producerId: m.producerId, producerEpoch: m.producerEpoch });

function ongoing(now = 1_000): TxnMetadata {
  const m = initialised();
  return settle(m, addPartitions(m, producerOf(m), [P0], now));
}

describe('InitProducerId with a transactional id', () => {
  it('gives a new transactional id a producer id and epoch 0, and a known one a bumped epoch under the same id', () => {
    const first = initialised();
    expect(first).toMatchObject({ producerId: 100, producerEpoch: 0, state: 'Empty', timeoutMs: TIMEOUT });
    const again = settle(first, initProducer(first, { transactionalId: ID, timeoutMs: 5_000, expected: null }, allocate));
    expect(again).toMatchObject({ producerId: 100, producerEpoch: 1, state: 'Empty', timeoutMs: 5_000 });
  });

  it('aborts the older instance’s open transaction under the bumped epoch, so its markers fence it everywhere', () => {
    const open = ongoing();
    const outcome = initProducer(open, { transactionalId: ID, timeoutMs: TIMEOUT, expected: null }, allocate);
    expect(outcome.completion).toEqual({ commit: false, producerId: 100, producerEpoch: 1, partitions: [P0], offsets: [] });
    expect(settle(open, outcome)).toMatchObject({ producerEpoch: 1, state: 'CompleteAbort', partitions: [] });
  });

  it('refuses timeouts outside 1 ms .. transaction.max.timeout.ms', () => {
    for (const timeoutMs of [0, -1, MAX_TRANSACTION_TIMEOUT_MS + 1]) {
      expect(initProducer(undefined, { transactionalId: ID, timeoutMs, expected: null }, allocate).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    }
  });

  it('takes a new producer id when the epoch is exhausted', () => {
    const worn = { ...initialised(), producerEpoch: MAX_PRODUCER_EPOCH };
    expect(settle(worn, initProducer(worn, { transactionalId: ID, timeoutMs: TIMEOUT, expected: null }, allocate))).toMatchObject({ producerId: 101, producerEpoch: 0 });
  });

  it('v3+: a client naming an id and epoch it no longer holds is fenced (KIP-360)', () => {
    const m = initialised();
    const req = (producerEpoch: number) => ({ transactionalId: ID, timeoutMs: TIMEOUT, expected: { producerId: 100, producerEpoch } });
    expect(initProducer(m, req(7), allocate).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(settle(m, initProducer(m, req(0), allocate)).producerEpoch).toBe(1);
    expect(initProducer(undefined, req(0), allocate).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });
});

describe('a transaction', () => {
  it('opens with its first partition, collects partitions once each, and starts its timeout then', () => {
    const m = initialised();
    const open = settle(m, addPartitions(m, producerOf(m), [P0, P0], 5_000));
    expect(open).toMatchObject({ state: 'Ongoing', partitions: [P0], startedAtMs: 5_000 });
    expect(addPartitions(open, producerOf(open), [P0], 6_000)).toEqual({ errorCode: ErrorCode.NONE });
    expect(settle(open, addPartitions(open, producerOf(open), [P1], 6_000))).toMatchObject({ partitions: [P0, P1], startedAtMs: 5_000 });
    expect(expiryOf(open)).toBe(5_000 + TIMEOUT);
  });

  it('refuses requests from another producer id or another epoch', () => {
    const open = ongoing();
    expect(addPartitions(open, { producerId: 7, producerEpoch: 0 }, [P1], 0).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(addPartitions(open, { producerId: 100, producerEpoch: 1 }, [P1], 0).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(endTransaction(undefined, producerOf(open), true).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(addOffsets(open, { producerId: 100, producerEpoch: 3 }, 'g', 0).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('commits: markers on every partition, and the offsets sent to it for the groups added to it', () => {
    let m = ongoing();
    m = settle(m, addOffsets(m, producerOf(m), 'g', 2_000));
    m = settle(m, addPendingOffsets(m, producerOf(m), 'g', [{ topic: 'in', partition: 0, offset: 5, metadata: null }]));
    // A later offset for the same partition replaces the earlier one.
    m = settle(m, addPendingOffsets(m, producerOf(m), 'g', [{ topic: 'in', partition: 0, offset: 9, metadata: 'm' }]));
    const outcome = endTransaction(m, producerOf(m), true);
    expect(outcome.next?.state).toBe('PrepareCommit');
    expect(outcome.completion).toEqual({ commit: true, producerId: 100, producerEpoch: 0, partitions: [P0], offsets: [{ group: 'g', topic: 'in', partition: 0, offset: 9, metadata: 'm' }] });
    const done = settle(m, outcome);
    expect(done).toMatchObject({ state: 'CompleteCommit', partitions: [], groups: [], pendingOffsets: [], startedAtMs: -1 });
    // A retried commit succeeds again; an abort of it cannot.
    expect(endTransaction(done, producerOf(done), true)).toEqual({ errorCode: ErrorCode.NONE });
    expect(endTransaction(done, producerOf(done), false).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('aborts without applying the offsets it carried', () => {
    let m = ongoing();
    m = settle(m, addOffsets(m, producerOf(m), 'g', 2_000));
    m = settle(m, addPendingOffsets(m, producerOf(m), 'g', [{ topic: 'in', partition: 0, offset: 5, metadata: null }]));
    expect(endTransaction(m, producerOf(m), false).completion).toEqual({ commit: false, producerId: 100, producerEpoch: 0, partitions: [P0], offsets: [] });
  });

  it('takes offsets only for a group added to the open transaction', () => {
    const m = ongoing();
    expect(addPendingOffsets(m, producerOf(m), 'g', [{ topic: 'in', partition: 0, offset: 1, metadata: null }]).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
    const idle = initialised();
    expect(addPendingOffsets(idle, producerOf(idle), 'g', []).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('cannot end a transaction that never began', () => {
    const m = initialised();
    expect(endTransaction(m, producerOf(m), true).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('answers CONCURRENT_TRANSACTIONS while a decision is being carried out', () => {
    const open = ongoing();
    const preparing = endTransaction(open, producerOf(open), true).next!;
    expect(addPartitions(preparing, producerOf(preparing), [P1], 0).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(initProducer(preparing, { transactionalId: ID, timeoutMs: TIMEOUT, expected: null }, allocate).errorCode).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
  });
});

describe('timeouts and recovery', () => {
  it('aborts an open transaction past its timeout under a bumped epoch, and leaves it alone before', () => {
    const open = ongoing(1_000);
    expect(expire(open, 1_000 + TIMEOUT - 1)).toEqual({ errorCode: ErrorCode.NONE });
    const outcome = expire(open, 1_000 + TIMEOUT);
    expect(outcome.completion).toMatchObject({ commit: false, producerEpoch: 1, partitions: [P0] });
    const aborted = settle(open, outcome);
    expect(aborted).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    // The timed-out producer is fenced.
    expect(endTransaction(aborted, producerOf(open), true).errorCode).toBe(ErrorCode.PRODUCER_FENCED);
    expect(expiryOf(aborted)).toBeNull();
  });

  it('after a crash, completes decided transactions as decided and aborts open ones', () => {
    const open = ongoing();
    const commitDecided = endTransaction(open, producerOf(open), true).next!;
    expect(recover(commitDecided)).toEqual({ errorCode: ErrorCode.NONE, completion: { commit: true, producerId: 100, producerEpoch: 0, partitions: [P0], offsets: [] } });
    const abortDecided = endTransaction(open, producerOf(open), false).next!;
    expect(recover(abortDecided).completion?.commit).toBe(false);
    expect(recover(open).completion).toMatchObject({ commit: false, producerEpoch: 1 });
    expect(recover(initialised())).toEqual({ errorCode: ErrorCode.NONE });
  });
});

describe('transactional produce', () => {
  it('is allowed to partitions of the open transaction, from its producer and epoch only', () => {
    const open = ongoing();
    expect(checkTransactionalProduce(open, producerOf(open), P0)).toBe(ErrorCode.NONE);
    expect(checkTransactionalProduce(open, producerOf(open), P1)).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(checkTransactionalProduce(open, { producerId: 100, producerEpoch: 1 }, P0)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(checkTransactionalProduce(open, { producerId: 9, producerEpoch: 0 }, P0)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    expect(checkTransactionalProduce(undefined, producerOf(open), P0)).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });
});
