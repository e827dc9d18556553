import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';

/** Records a group has yet to consume on one partition. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/** A partition's offsets as the cluster reports them. */
export interface PartitionEnds {
  partition: number;
  /** The high watermark: the next offset to be written. */
  high: number;
  /** The log start. */
  low: number;
}

/**
 * The lag of each assigned partition: its high watermark minus the group's committed offset (from the log start
 * where nothing is committed, as the consumer starts from the beginning). Taken from the cluster, not from a fetch,
 * it is right while consumption is paused and after the consumer is gone.
 */
export function committedLag(assignment: Readonly<Record<string, readonly number[]>>, ends: ReadonlyMap<string, readonly PartitionEnds[]>, committed: ReadonlyMap<string, number>): PartitionLag[] {
  const lags: PartitionLag[] = [];
  for (const [topic, partitions] of Object.entries(assignment)) {
    const byPartition = new Map((ends.get(topic) ?? []).map((e) => [e.partition, e]));
    for (const partition of partitions) {
      const end = byPartition.get(partition);
      if (!end) continue;
      const from = committed.get(`${topic}/${partition}`);
      const position = from === undefined || from < 0 ? end.low : from;
      lags.push({ topic, partition, lag: Math.max(0, end.high - position) });
    }
  }
  return lags;
}

export interface CommittedLagMonitorOptions {
  admin: Admin;
  groupId: string;
  /** The partitions this instance owns now, by topic. */
  assignment: () => Readonly<Record<string, readonly number[]>>;
  everyMs: number;
  onLag(lags: PartitionLag[]): void;
  logger: Logger;
}

/** Reads the group's lag from the cluster every `everyMs` (one ListOffsets per topic and one OffsetFetch). */
export class CommittedLagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private warned = false;

  constructor(private readonly options: CommittedLagMonitorOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.measure(), this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async measure(): Promise<void> {
    const assignment = this.options.assignment();
    const topics = Object.keys(assignment).filter((t) => assignment[t]!.length > 0);
    if (this.running || topics.length === 0) return;
    this.running = true;
    try {
      const { admin, groupId } = this.options;
      const [ends, offsets] = await Promise.all([
        Promise.all(topics.map(async (topic) => [topic, (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, high: Number(o.high), low: Number(o.low) }))] as const)),
        admin.fetchOffsets({ groupId, topics }),
      ]);
      const committed = new Map<string, number>();
      for (const t of offsets) for (const p of t.partitions) committed.set(`${t.topic}/${p.partition}`, Number(p.offset));
      this.options.onLag(committedLag(assignment, new Map(ends), committed));
      this.warned = false;
    } catch (error) {
      // Lag is for operators: a cluster that does not answer now is tried again next time.
      if (!this.warned) this.options.logger.warn({ error: (error as Error).message }, 'cannot read consumer lag from the cluster (will keep trying)');
      this.warned = true;
    } finally {
      this.running = false;
    }
  }
}
