/** A transaction a marker aborted, as Fetch reports it: readers skip that producer's records from firstOffset to the marker. */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The abort marker's offset. */
  readonly lastOffset: number;
}

/**
 * What one partition knows of transactions: the first offset of each
 * producer's open transaction (which holds the last stable offset back) and
 * the aborted ones (Kafka's aborted-transaction index). Fed in log order, on
 * append and when the log is replayed at start-up; no I/O.
 */
export class PartitionTransactions {
  private readonly open = new Map<number, number>();
  private aborted: AbortedTransaction[] = [];

  /** A transactional data batch was appended at `baseOffset`. */
  dataAppended(producerId: number, baseOffset: number): void {
    if (!this.open.has(producerId)) this.open.set(producerId, baseOffset);
  }

  hasOpen(producerId: number): boolean {
    return this.open.has(producerId);
  }

  /** A marker was appended at `offset`: the producer's transaction ends here. */
  markerAppended(producerId: number, commit: boolean, offset: number): void {
    const firstOffset = this.open.get(producerId);
    if (firstOffset === undefined) return;
    this.open.delete(producerId);
    if (!commit) this.aborted.push({ producerId, firstOffset, lastOffset: offset });
  }

  /** The first offset no reader of committed data may pass: the oldest open transaction's start, else the high watermark. */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark;
    for (const first of this.open.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Aborted transactions a read of [fromOffset, toOffset) overlaps, by first offset (the order readers expect). */
  abortedBetween(fromOffset: number, toOffset: number): AbortedTransaction[] {
    const hits: AbortedTransaction[] = [];
    for (const t of this.aborted) if (t.lastOffset >= fromOffset && t.firstOffset < toOffset) hits.push(t);
    return hits.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** Retention moved the log start: aborted transactions wholly below it can no longer be read. */
  forgetBelow(logStartOffset: number): void {
    if (this.aborted.length > 0 && this.aborted[0]!.lastOffset < logStartOffset) this.aborted = this.aborted.filter((t) => t.lastOffset >= logStartOffset);
  }
}
