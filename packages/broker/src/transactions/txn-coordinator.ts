import type { Logger } from 'pino';
import type { GroupCoordinator } from '../groups/coordinator';
import { ErrorCode } from '../protocol/errors';
import type { Cluster } from '../state/cluster';
import type { TxnLog } from './txn-log';
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
  recover,
  type Completion,
  type PendingOffset,
  type ProducerIdentity,
  type TxnMetadata,
  type TxnOutcome,
  type TxnPartition,
} from './txn-state';

export interface InitProducerResult {
  errorCode: ErrorCode;
  producerId: number;
  producerEpoch: number;
}

/**
 * The I/O shell around txn-state.ts: holds every transactional id's
 * metadata, saves each change to the transaction log before acting on it,
 * writes the markers and applies the offsets of decided transactions, and
 * aborts transactions whose timeout ends. Everything runs on the broker's
 * event loop, so a decision and its completion happen without interleaving;
 * a crash between them is finished by `recover` at the next start.
 */
export class TransactionCoordinator {
  private readonly byId = new Map<string, TxnMetadata>();
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly groups: GroupCoordinator,
    private readonly txnLog: TxnLog,
    private readonly clock: () => number,
    private readonly log: Logger,
  ) {
    for (const m of txnLog.load()) this.byId.set(m.transactionalId, m);
    for (const m of [...this.byId.values()]) {
      const outcome = recover(m);
      if (outcome.completion) this.log.info({ transactionalId: m.transactionalId }, `recovering transaction: ${outcome.completion.commit ? 'completing its commit' : 'aborting it'}`);
      this.apply(m.transactionalId, outcome);
    }
    this.armTimer();
  }

  initProducerId(transactionalId: string, timeoutMs: number, expected: ProducerIdentity | null): InitProducerResult {
    const outcome = initProducer(this.byId.get(transactionalId), { transactionalId, timeoutMs, expected }, () => this.cluster.allocateProducerId());
    if (outcome.errorCode !== ErrorCode.NONE) return { errorCode: outcome.errorCode, producerId: -1, producerEpoch: -1 };
    const m = this.apply(transactionalId, outcome)!;
    return { errorCode: ErrorCode.NONE, producerId: m.producerId, producerEpoch: m.producerEpoch };
  }

  addPartitions(transactionalId: string, producer: ProducerIdentity, partitions: readonly TxnPartition[]): ErrorCode {
    return this.run(transactionalId, addPartitions(this.byId.get(transactionalId), producer, partitions, this.clock()));
  }

  addOffsets(transactionalId: string, producer: ProducerIdentity, group: string): ErrorCode {
    return this.run(transactionalId, addOffsets(this.byId.get(transactionalId), producer, group, this.clock()));
  }

  commitOffsets(transactionalId: string, producer: ProducerIdentity, group: string, offsets: ReadonlyArray<Omit<PendingOffset, 'group'>>): ErrorCode {
    return this.run(transactionalId, addPendingOffsets(this.byId.get(transactionalId), producer, group, offsets));
  }

  endTxn(transactionalId: string, producer: ProducerIdentity, commit: boolean): ErrorCode {
    return this.run(transactionalId, endTransaction(this.byId.get(transactionalId), producer, commit));
  }

  /** May this producer write transactional records to this partition now? */
  checkProduce(transactionalId: string, producer: ProducerIdentity, partition: TxnPartition): ErrorCode {
    return checkTransactionalProduce(this.byId.get(transactionalId), producer, partition);
  }

  /** Whether an open transaction holds an offset for this group partition (OffsetFetch's require_stable, KIP-447). */
  hasPendingOffset(group: string, topic: string, partition: number): boolean {
    for (const m of this.byId.values()) {
      if (m.state === 'Ongoing' && m.pendingOffsets.some((o) => o.group === group && o.topic === topic && o.partition === partition)) return true;
    }
    return false;
  }

  /** Every transactional id's metadata (ListTransactions). */
  list(): TxnMetadata[] {
    return [...this.byId.values()];
  }

  /** A transactional id's metadata (DescribeTransactions). */
  describe(transactionalId: string): TxnMetadata | undefined {
    return this.byId.get(transactionalId);
  }

  private run(transactionalId: string, outcome: TxnOutcome): ErrorCode {
    if (outcome.errorCode === ErrorCode.NONE) this.apply(transactionalId, outcome);
    return outcome.errorCode;
  }

  /** Saves the decision, finishes it when it asks for a completion, and keeps the timeout timer right. */
  private apply(transactionalId: string, outcome: TxnOutcome): TxnMetadata | undefined {
    let m = outcome.next ?? this.byId.get(transactionalId);
    if (outcome.next) this.save(outcome.next);
    if (outcome.completion && m) {
      this.carryOut(outcome.completion);
      m = completeTransaction(m);
      this.save(m);
    }
    const expiry = m ? expiryOf(m) : null;
    if (expiry !== null && expiry < this.timerDueAt) this.armTimer();
    return m;
  }

  private save(m: TxnMetadata): void {
    this.txnLog.save(m);
    this.byId.set(m.transactionalId, m);
  }

  /** Markers on every partition of the transaction, then (on commit) the offsets it carried into their groups. */
  private carryOut(c: Completion): void {
    for (const tp of c.partitions) {
      const partition = this.cluster.topics.get(tp.topic)?.partitions[tp.partition];
      // A topic deleted meanwhile took the transaction's records with it.
      partition?.writeMarker(c.producerId, c.producerEpoch, c.commit);
    }
    if (!c.commit || c.offsets.length === 0) return;
    const now = this.clock();
    const byGroup = new Map<string, PendingOffset[]>();
    for (const o of c.offsets) byGroup.set(o.group, [...(byGroup.get(o.group) ?? []), o]);
    for (const [group, offsets] of byGroup) {
      this.groups.commitTransactionalOffsets(
        group,
        offsets
          .filter((o) => this.cluster.topics.get(o.topic)?.partitions[o.partition] !== undefined)
          .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata, commitTimestamp: now })),
      );
    }
  }

  /** One timer, due at the earliest open transaction's timeout. */
  private armTimer(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let due = Infinity;
    for (const m of this.byId.values()) {
      const expiry = expiryOf(m);
      if (expiry !== null && expiry < due) due = expiry;
    }
    this.timerDueAt = due;
    if (due === Infinity) return;
    this.timer = setTimeout(() => this.abortExpired(), Math.max(0, due - this.clock()));
    this.timer.unref();
  }

  private abortExpired(): void {
    this.timerDueAt = Infinity;
    const now = this.clock();
    for (const m of [...this.byId.values()]) {
      const outcome = expire(m, now);
      if (!outcome.completion) continue;
      this.log.info({ transactionalId: m.transactionalId, timeoutMs: m.timeoutMs }, 'transaction timed out: aborted, and its producer fenced');
      try {
        this.apply(m.transactionalId, outcome);
      } catch (err) {
        // A storage failure here must not take the broker down; the next start finishes the abort.
        this.log.error({ transactionalId: m.transactionalId, err: (err as Error).message }, 'aborting a timed-out transaction failed');
      }
    }
    this.armTimer();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.txnLog.close();
  }
}
