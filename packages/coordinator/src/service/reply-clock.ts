import type { Logger } from 'pino';
import { describeError } from '../errors';

/** Where a saga.replies partition stands: its end (the next offset to be written) and the group's committed offset. */
export interface ReplyPartitionOffsets {
  end: number;
  committed: number;
}

export interface ReplyClockDeps {
  /** The partitions' end offsets and committed offsets, asked of the cluster now. */
  lookUp(partitions: readonly number[]): Promise<Map<number, ReplyPartitionOffsets>>;
  clock: () => number;
  logger: Logger;
}

interface PartitionClock {
  /** Every reply that reached the partition before this time has been applied (committed). */
  readThrough: number;
  /** Offsets below this are applied: committed by this instance, or found committed by a probe. */
  appliedBelow: number;
  /** A probe asked at `at` found the partition ending at `end`: once everything below `end` is applied, readThrough = at. */
  probe?: { at: number; end: number };
}

/**
 * Per saga.replies partition this instance owns, the time through which every reply that reached Kafka has
 * been applied: a step's deadline counts as passed only once this is past it, so a reply that arrived in time
 * but is still unread (a failover, a rebalance, a store outage) completes its step instead of timing it out.
 *
 * It is learnt by probes: at time t the partition ended at offset E, so every reply appended before t lies
 * below E; once the group's committed offset reaches E, all of them have been applied and t is the read-through
 * time. A probe is asked for only where the timer found due sagas, one at a time per partition.
 */
export class ReplyClock {
  private readonly partitions = new Map<number, PartitionClock>();
  private readonly probing = new Set<number>();
  /** Bumped when ownership changes: probe answers from before are for partitions this instance may no longer hold. */
  private generation = 0;

  constructor(private readonly deps: ReplyClockDeps) {}

  /** The time through which the partition's replies are applied; 0 (no deadline passes) until a probe says. */
  readThrough(partition: number): number {
    return this.partitions.get(partition)?.readThrough ?? 0;
  }

  /** The intake committed the partition's replies below `nextOffset`. */
  applied(partition: number, nextOffset: number): void {
    const p = this.partitionClock(partition);
    p.appliedBelow = Math.max(p.appliedBelow, nextOffset);
    settle(p);
  }

  /** Asks where the partitions stand, unless a probe of theirs is under way or waiting on the intake; never throws. */
  probe(partitions: readonly number[]): void {
    const wanted = partitions.filter((p) => !this.probing.has(p) && this.partitions.get(p)?.probe === undefined);
    if (wanted.length === 0) return;
    for (const p of wanted) this.probing.add(p);
    const at = this.deps.clock();
    const generation = this.generation;
    void this.deps.lookUp(wanted).then(
      (offsets) => {
        if (generation !== this.generation) return;
        for (const partition of wanted) {
          this.probing.delete(partition);
          const found = offsets.get(partition);
          if (!found) continue;
          const p = this.partitionClock(partition);
          p.appliedBelow = Math.max(p.appliedBelow, found.committed);
          p.probe = { at, end: found.end };
          settle(p);
        }
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        for (const partition of wanted) this.probing.delete(partition);
        this.deps.logger.debug({ error: describeError(error) }, 'could not look up saga.replies offsets; step deadlines wait for the next look');
      },
    );
  }

  /** Ownership changed: what was learnt may be about partitions this instance no longer holds, or holds anew. */
  forget(): void {
    this.generation++;
    this.partitions.clear();
    this.probing.clear();
  }

  private partitionClock(partition: number): PartitionClock {
    let p = this.partitions.get(partition);
    if (!p) this.partitions.set(partition, (p = { readThrough: 0, appliedBelow: 0 }));
    return p;
  }
}

/** A probe whose replies are all applied moves the read-through time to when it was asked. */
function settle(p: PartitionClock): void {
  if (p.probe && p.appliedBelow >= p.probe.end) {
    p.readThrough = Math.max(p.readThrough, p.probe.at);
    delete p.probe;
  }
}
