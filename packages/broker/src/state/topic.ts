import { Partition } from '../log/partition';
import type { Storage, TopicRecord } from '../storage/storage';
import { logSettings } from './topic-config';

/** A topic: its partitions and configs. */
export class Topic {
  readonly partitions: Partition[] = [];

  constructor(
    private record: TopicRecord,
    private readonly storage: Storage,
    private readonly clock: () => number,
  ) {
    this.addPartitions(record.partitions);
  }

  get name(): string {
    return this.record.name;
  }

  get configs(): Readonly<Record<string, string>> {
    return this.record.configs;
  }

  get createdAtMs(): number {
    return this.record.createdAtMs;
  }

  /** Grows the partition count (never shrinks, as in Kafka). */
  addPartitions(total: number): void {
    const settings = logSettings(this.record.configs);
    for (let i = this.partitions.length; i < total; i++) {
      this.partitions.push(new Partition(this.record.name, i, this.storage.partition(this.record.name, i), settings, this.clock));
    }
    this.record = { ...this.record, partitions: this.partitions.length };
  }

  toRecord(): TopicRecord {
    return this.record;
  }
}
