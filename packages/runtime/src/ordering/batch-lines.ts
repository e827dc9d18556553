import type { KeyBarrier } from './key-barrier';
import { parkedRecord } from './park';
import type { ConsumedRecord, EventResult } from '../worker/process-event';

/** A keyed record's line as the key barrier (Redis) names it. */
export function barrierKey(line: string | number): string {
  return `k${line}`;
}

/**
 * One batch's use of the per-key lines of an agent with ordering 'key'. A record whose key has a
 * line waits (parked on the first retry tier) until it is its turn; one that goes to retry opens a
 * line. Line changes are applied after the batch's records are durable, in record order per key;
 * keys blocked earlier in this batch are known here before Redis says so.
 */
export class BatchKeyLines {
  private readonly updates: Array<() => Promise<void>> = [];
  private readonly blockedInBatch = new Set<string>();

  constructor(
    private readonly barrier: KeyBarrier,
    private readonly agent: string,
    /** When a parked record looks again. */
    private readonly parkedDueAt: () => number,
  ) {}

  /** Runs `process` for the record when it is its key's turn; otherwise parks it. */
  async inLine(record: ConsumedRecord, keyId: string, fromRetryTier: boolean, process: () => Promise<EventResult>): Promise<EventResult> {
    let position;
    try {
      position = this.blockedInBatch.has(keyId) ? undefined : await this.barrier.position(this.agent, keyId, record.eventId);
    } catch (err) {
      // Without the lines, order cannot be kept: hold like a dead dependency.
      return { kind: 'hold', retryAfterMs: 2_000, reason: `ordering store unreachable: ${(err as Error).message}` };
    }
    // A source event waits whenever its key has a line; a retried or parked one only while others are ahead of it.
    const mustWait = position === undefined || (fromRetryTier ? position === 'waiting' : position !== 'free');
    if (mustWait) {
      this.enqueue(keyId, record.eventId);
      return { kind: 'retry', records: [parkedRecord(record, this.agent, this.parkedDueAt())] };
    }
    const result = await process();
    if (result.kind === 'retry') this.enqueue(keyId, record.eventId);
    else if (result.kind === 'finished' && position === 'head') this.release(keyId, record.eventId);
    return result;
  }

  /** A head finished before a crash may not have been released: releasing is idempotent. */
  release(keyId: string, eventId: string): void {
    this.updates.push(() => this.barrier.release(this.agent, keyId, eventId));
  }

  /** Whether the batch changed any line (what apply() writes). */
  get changed(): boolean {
    return this.updates.length > 0;
  }

  /** Writes the batch's line changes, in order. */
  async apply(): Promise<void> {
    for (const update of this.updates) await update();
  }

  private enqueue(keyId: string, eventId: string): void {
    this.blockedInBatch.add(keyId);
    this.updates.push(() => this.barrier.enqueue(this.agent, keyId, eventId));
  }
}
