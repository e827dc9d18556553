import { ErrorCode } from '../protocol/errors';

/**
 * The transaction coordinator's decisions, as pure functions of one
 * transactional id's metadata and a request (Kafka's TransactionMetadata
 * transitions). The shell (txn-coordinator.ts) persists what these return,
 * carries out the completions they ask for (markers, offsets) and answers.
 */

/** Kafka's states, less PrepareEpochFence and Dead: a fence here is an abort with a bumped epoch. */
export type TxnStateName = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';
export const TXN_STATE_NAMES: ReadonlySet<string> = new Set<TxnStateName>(['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort']);

export interface TxnPartition {
  readonly topic: string;
  readonly partition: number;
}

/** An offset sent to the transaction (TxnOffsetCommit), applied to its group only when the transaction commits. */
export interface PendingOffset {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string | null;
}

export interface TxnMetadata {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnStateName;
  readonly partitions: readonly TxnPartition[];
  readonly groups: readonly string[];
  readonly pendingOffsets: readonly PendingOffset[];
  /** When the transaction became Ongoing (its timeout counts from here); -1 when none is open. */
  readonly startedAtMs: number;
}

/** What the shell must do to finish a decided transaction, before calling `completeTransaction`. */
export interface Completion {
  readonly commit: boolean;
  readonly producerId: number;
  /** The epoch the markers carry; a bumped one fences the producer on every partition. */
  readonly producerEpoch: number;
  readonly partitions: readonly TxnPartition[];
  /** Offsets to apply to their groups (commit only). */
  readonly offsets: readonly PendingOffset[];
}

/** A decision: the error to answer, the metadata to persist (absent: unchanged), and work to finish. */
export interface TxnOutcome {
  readonly errorCode: ErrorCode;
  readonly next?: TxnMetadata;
  readonly completion?: Completion;
}

/** Kafka's transaction.max.timeout.ms default. */
export const MAX_TRANSACTION_TIMEOUT_MS = 900_000;
/** Past this epoch a transactional id gets a new producer id (Kafka keeps Short.MAX_VALUE for itself). */
export const MAX_PRODUCER_EPOCH = 32_766;

export interface ProducerIdentity {
  readonly producerId: number;
  readonly producerEpoch: number;
}

const failed = (errorCode: ErrorCode): TxnOutcome => ({ errorCode });
const isPreparing = (m: TxnMetadata): boolean => m.state === 'PrepareCommit' || m.state === 'PrepareAbort';

/** Aborts an open transaction under a bumped epoch, which fences the producer that opened it. */
function abortWithBump(m: TxnMetadata): TxnOutcome {
  const producerEpoch = Math.min(m.producerEpoch + 1, MAX_PRODUCER_EPOCH + 1);
  const next: TxnMetadata = { ...m, producerEpoch, state: 'PrepareAbort' };
  return { errorCode: ErrorCode.NONE, next, completion: completionOf(next) };
}

function completionOf(m: TxnMetadata): Completion {
  const commit = m.state === 'PrepareCommit';
  return { commit, producerId: m.producerId, producerEpoch: m.producerEpoch, partitions: m.partitions, offsets: commit ? m.pendingOffsets : [] };
}

/**
 * InitProducerId with a transactional id: a new id gets a producer id and
 * epoch 0; a known one gets its epoch bumped (fencing any older instance),
 * and an open transaction of the older instance is aborted first. From v3 the
 * client may name the producer id and epoch it holds (KIP-360): a mismatch
 * means another instance took over.
 */
export function initProducer(current: TxnMetadata | undefined, req: { transactionalId: string; timeoutMs: number; expected: ProducerIdentity | null }, allocateProducerId: () => number): TxnOutcome {
  if (!Number.isInteger(req.timeoutMs) || req.timeoutMs <= 0 || req.timeoutMs > MAX_TRANSACTION_TIMEOUT_MS) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const fresh = (producerId: number, producerEpoch: number): TxnMetadata => ({
    transactionalId: req.transactionalId,
    producerId,
    producerEpoch,
    timeoutMs: req.timeoutMs,
    state: 'Empty',
    partitions: [],
    groups: [],
    pendingOffsets: [],
    startedAtMs: -1,
  });
  if (current === undefined) {
    if (req.expected !== null && req.expected.producerId >= 0) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    return { errorCode: ErrorCode.NONE, next: fresh(allocateProducerId(), 0) };
  }
  if (isPreparing(current)) return failed(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (req.expected !== null && req.expected.producerId >= 0) {
    if (req.expected.producerId !== current.producerId || req.expected.producerEpoch !== current.producerEpoch) return failed(ErrorCode.PRODUCER_FENCED);
  }
  if (current.state === 'Ongoing') {
    // The older instance's transaction is aborted under the bumped epoch; the new instance gets that epoch once it is done.
    const abort = abortWithBump({ ...current, timeoutMs: req.timeoutMs });
    return abort;
  }
  if (current.producerEpoch >= MAX_PRODUCER_EPOCH) return { errorCode: ErrorCode.NONE, next: fresh(allocateProducerId(), 0) };
  return { errorCode: ErrorCode.NONE, next: fresh(current.producerId, current.producerEpoch + 1) };
}

/** The checks every request of a running transaction starts with: the right producer, the current epoch, no completion under way. */
function checkProducer(current: TxnMetadata | undefined, producer: ProducerIdentity): ErrorCode {
  if (current === undefined || current.producerId !== producer.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (producer.producerEpoch !== current.producerEpoch) return ErrorCode.PRODUCER_FENCED;
  if (isPreparing(current)) return ErrorCode.CONCURRENT_TRANSACTIONS;
  return ErrorCode.NONE;
}

/** The metadata as an open transaction: a finished or empty one starts afresh. */
function opened(m: TxnMetadata, now: number): TxnMetadata {
  if (m.state === 'Ongoing') return m;
  return { ...m, state: 'Ongoing', partitions: [], groups: [], pendingOffsets: [], startedAtMs: now };
}

/** AddPartitionsToTxn: the partitions join the transaction, which opens if it was not. */
export function addPartitions(current: TxnMetadata | undefined, producer: ProducerIdentity, partitions: readonly TxnPartition[], now: number): TxnOutcome {
  const problem = checkProducer(current, producer);
  if (problem !== ErrorCode.NONE) return failed(problem);
  const open = opened(current!, now);
  const known = new Set(open.partitions.map(keyOfPartition));
  const added = partitions.filter((p) => {
    const key = keyOfPartition(p);
    if (known.has(key)) return false;
    known.add(key);
    return true;
  });
  if (added.length === 0 && open === current) return { errorCode: ErrorCode.NONE };
  return { errorCode: ErrorCode.NONE, next: { ...open, partitions: [...open.partitions, ...added] } };
}

/** AddOffsetsToTxn: the group's offsets will be committed with the transaction. */
export function addOffsets(current: TxnMetadata | undefined, producer: ProducerIdentity, group: string, now: number): TxnOutcome {
  const problem = checkProducer(current, producer);
  if (problem !== ErrorCode.NONE) return failed(problem);
  const open = opened(current!, now);
  if (open.groups.includes(group) && open === current) return { errorCode: ErrorCode.NONE };
  return { errorCode: ErrorCode.NONE, next: { ...open, groups: open.groups.includes(group) ? open.groups : [...open.groups, group] } };
}

/** TxnOffsetCommit: offsets held with the transaction (a later one for the same partition replaces the earlier). */
export function addPendingOffsets(current: TxnMetadata | undefined, producer: ProducerIdentity, group: string, offsets: readonly Omit<PendingOffset, 'group'>[]): TxnOutcome {
  const problem = checkProducer(current, producer);
  if (problem !== ErrorCode.NONE) return failed(problem);
  const m = current!;
  if (m.state !== 'Ongoing' || !m.groups.includes(group)) return failed(ErrorCode.INVALID_TXN_STATE);
  const replaced = new Set(offsets.map((o) => keyOfPartition(o)));
  const kept = m.pendingOffsets.filter((o) => o.group !== group || !replaced.has(keyOfPartition(o)));
  return { errorCode: ErrorCode.NONE, next: { ...m, pendingOffsets: [...kept, ...offsets.map((o) => ({ group, ...o }))] } };
}

/**
 * EndTxn: the decision is recorded (Prepare*) and the shell writes the
 * markers. A retry of a decision already carried out succeeds again;
 * the opposite decision, or ending nothing, is INVALID_TXN_STATE.
 */
export function endTransaction(current: TxnMetadata | undefined, producer: ProducerIdentity, commit: boolean): TxnOutcome {
  const problem = checkProducer(current, producer);
  if (problem !== ErrorCode.NONE) return failed(problem);
  const m = current!;
  if (m.state === 'CompleteCommit') return failed(commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
  if (m.state === 'CompleteAbort') return failed(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
  if (m.state !== 'Ongoing') return failed(ErrorCode.INVALID_TXN_STATE);
  const next: TxnMetadata = { ...m, state: commit ? 'PrepareCommit' : 'PrepareAbort' };
  return { errorCode: ErrorCode.NONE, next, completion: completionOf(next) };
}

/** When an open transaction's timeout ends; null when none is open. */
export function expiryOf(m: TxnMetadata): number | null {
  return m.state === 'Ongoing' ? m.startedAtMs + m.timeoutMs : null;
}

/** A transaction open past its timeout is aborted, and its producer fenced (Kafka 2.5+ bumps the epoch too). */
export function expire(current: TxnMetadata, now: number): TxnOutcome {
  const expiry = expiryOf(current);
  if (expiry === null || now < expiry) return { errorCode: ErrorCode.NONE };
  return abortWithBump(current);
}

/**
 * After a crash: a decided transaction is finished as decided; an open one
 * is aborted and its producer fenced, since whatever it sent before the
 * crash cannot be told apart from what it would send after.
 */
export function recover(current: TxnMetadata): TxnOutcome {
  if (isPreparing(current)) return { errorCode: ErrorCode.NONE, completion: completionOf(current) };
  if (current.state === 'Ongoing') return abortWithBump(current);
  return { errorCode: ErrorCode.NONE };
}

/** The state once the markers are written and the offsets applied. */
export function completeTransaction(m: TxnMetadata): TxnMetadata {
  if (!isPreparing(m)) return m;
  return { ...m, state: m.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort', partitions: [], groups: [], pendingOffsets: [], startedAtMs: -1 };
}

/** Whether a transactional produce to this partition belongs to the producer's open transaction. */
export function checkTransactionalProduce(current: TxnMetadata | undefined, producer: ProducerIdentity, partition: TxnPartition): ErrorCode {
  if (current === undefined || current.producerId !== producer.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  // Produce answers a stale epoch with INVALID_PRODUCER_EPOCH in every version, as Kafka does.
  if (producer.producerEpoch !== current.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
  if (current.state !== 'Ongoing' || !current.partitions.some((p) => p.topic === partition.topic && p.partition === partition.partition)) return ErrorCode.INVALID_TXN_STATE;
  return ErrorCode.NONE;
}

function keyOfPartition(p: { topic: string; partition: number }): string {
  return `${p.partition}:${p.topic}`;
}
