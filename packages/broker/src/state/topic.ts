import { randomBytes } from 'node:crypto';
import { Partition } from '../log/partition';
import type { Storage, TopicRecord } from '../storage/storage';
import type { BrokerConfigs } from './broker-config';
import { logSettings, type LogSettings } from './topic-config';

/** A new topic id (KIP-516): 16 random bytes, never all zeros (which means "no id"). */
export function newTopicId(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! | 1;
  return bytes.toString('hex');
}

/** A topic: its id, partitions and configs. */
export class Topic {
  readonly partitions: Partition[] = [];

  constructor(
    private record: TopicRecord,
    private readonly storage: Storage,
    private readonly clock: () => number,
    private readonly brokerConfigs: BrokerConfigs,
  ) {
    this.addPartitions(record.partitions);
    record.logStartOffsets?.forEach((offset, i) => this.partitions[i]?.restoreLogStart(offset));
  }

  get name(): string {
    return this.record.name;
  }

  /** 32 hex digits; set on creation, or on the first start of a data dir written before topic ids. */
  get id(): string {
    return this.record.topicId ?? '';
  }

  /** The configs set on the topic itself. */
  get configs(): Readonly<Record<string, string>> {
    return this.record.configs;
  }

  get createdAtMs(): number {
    return this.record.createdAtMs;
  }

  /** Every topic config's value in force (the topic's, else the broker's, else Kafka's default). */
  effectiveConfigs(): Record<string, string> {
    return this.brokerConfigs.effectiveTopicConfigs(this.record.configs);
  }

  logSettings(): LogSettings {
    return logSettings(this.effectiveConfigs());
  }

  /** Replaces the topic's own configs (AlterConfigs) and applies them to its partitions. */
  setConfigs(configs: Record<string, string>): void {
    this.record = { ...this.record, configs };
    this.refreshSettings();
  }

  /** Re-reads the settings in force (after a topic or broker config change). */
  refreshSettings(): void {
    const settings = this.logSettings();
    for (const p of this.partitions) p.updateSettings(settings);
  }

  /** Grows the partition count (never shrinks, as in Kafka). */
  addPartitions(total: number): void {
    const settings = this.logSettings();
    for (let i = this.partitions.length; i < total; i++) {
      this.partitions.push(new Partition(this.record.name, i, this.storage.partition(this.record.name, i), settings, this.clock));
    }
    this.record = { ...this.record, partitions: this.partitions.length };
  }

  /** The record to store, with each partition's log start offset (moved by DeleteRecords). */
  toRecord(): TopicRecord {
    const starts = this.partitions.map((p) => p.logStartOffset);
    return starts.some((s) => s > 0) ? { ...this.record, logStartOffsets: starts } : this.record;
  }
}
