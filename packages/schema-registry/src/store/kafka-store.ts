import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type KafkaConfig, type KafkaMessage, type Producer } from 'kafkajs';
import { SchemaStoreError } from '../errors';
import { decodeRecord, encodeKey, encodeValue, type StoreRecord } from './records';
import { RegistryState, type RegistryView } from './state';
import type { SchemaStore } from './store';

export interface KafkaSchemaStoreOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /** Confluent's default; change it to keep two registries apart on one cluster. */
  readonly topic?: string;
  readonly clientId?: string;
  /** Bound on every wait for the log (catching up, reading a write back). */
  readonly timeoutMs?: number;
  /** TLS and SASL for a secured cluster (kafkajs's `ssl` and `sasl`). */
  readonly security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

interface Waiter {
  readonly offset: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const DEFAULT_TOPIC = '_schemas';
const DEFAULT_TIMEOUT_MS = 15_000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Keeps registry state in a one-partition compacted topic, like Confluent's registry.
 * Every process consumes the whole topic continuously (its own throwaway consumer
 * group, nothing committed) and builds the same RegistryState from it.
 *
 * Consistency: before a read or a write, fetch the partition's high watermark and wait
 * until the consumer has applied everything below it. A write produces, then waits until
 * its own records come back through the consumer, so state is only ever changed by
 * the log, in log order, in every process alike.
 *
 * Races between processes (both allocate id N, or both write version 3 of a subject)
 * are settled by log order without a leader: RegistryState refuses the later,
 * contradicting record. The loser learns this when its record comes back, re-appends
 * the winning value for its key (so that compaction, which keeps the last record per
 * key, keeps the winner) and reports the write as not accepted; the service retries.
 */
export class KafkaSchemaStore implements SchemaStore {
  private readonly state = new RegistryState();
  private appliedUpTo = 0; // next offset to apply
  private readonly rejectedOffsets = new Set<number>();
  private waiters: Waiter[] = [];
  private closed = false;

  private constructor(
    private readonly topic: string,
    private readonly timeoutMs: number,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly consumer: Consumer,
  ) {}

  /** Connects, creates the topic if missing, and loads the whole log before resolving. */
  static async open(options: KafkaSchemaStoreOptions): Promise<KafkaSchemaStore> {
    const topic = options.topic ?? DEFAULT_TOPIC;
    const kafka = new Kafka({
      clientId: options.clientId ?? 'agentmesh-schema-registry',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      // Fail within seconds when the cluster is unreachable rather than kafkajs's default ~30 s.
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
      ...options.security,
    });
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    // A short fetch wait bounds how long disconnect() waits for an idle long-poll to return.
    const consumer = kafka.consumer({ groupId: `schema-registry-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    const store = new KafkaSchemaStore(topic, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, admin, producer, consumer);
    try {
      await admin.connect();
      await store.ensureTopic();
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => store.applyMessages(batch.messages),
      });
      await store.catchUp();
    } catch (error) {
      await store.close();
      if (error instanceof SchemaStoreError) throw error;
      throw new SchemaStoreError(`Cannot open the schema store on Kafka at ${options.brokers.join(',')} (topic ${topic}): ${describe(error)}`, { cause: error });
    }
    return store;
  }

  get view(): RegistryView {
    return this.state;
  }

  private async ensureTopic(): Promise<void> {
    const existing = await this.admin.listTopics();
    if (existing.includes(this.topic)) return;
    const { brokers } = await this.admin.describeCluster();
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: this.topic,
            numPartitions: 1, // one partition: one total order of registry events
            replicationFactor: Math.min(3, Math.max(1, brokers.length)),
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
    } catch (error) {
      // Another registry may have created it between our check and our request.
      if (!(await this.admin.listTopics()).includes(this.topic)) throw error;
    }
  }

  private applyMessages(messages: readonly KafkaMessage[]): void {
    for (const message of messages) {
      const offset = Number(message.offset);
      if (offset < this.appliedUpTo) continue; // redelivered after a rebalance
      const key = message.key?.toString('utf8');
      const record = key === undefined ? undefined : decodeRecord(key, message.value === null ? null : message.value.toString('utf8'));
      if (record && !this.state.apply(record)) this.rejectedOffsets.add(offset);
      this.appliedUpTo = offset + 1;
    }
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.offset <= this.appliedUpTo);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.offset > this.appliedUpTo);
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  /** Resolves once every offset below `nextOffset` has been applied. */
  private waitUntilApplied(nextOffset: number, purpose: string): Promise<void> {
    if (this.closed) return Promise.reject(new SchemaStoreError('The schema store is closed'));
    if (nextOffset <= this.appliedUpTo) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new SchemaStoreError(`Timed out after ${this.timeoutMs} ms ${purpose}: read up to offset ${this.appliedUpTo} of ${this.topic}, need ${nextOffset}`, { timedOut: true }));
      }, this.timeoutMs);
      const waiter: Waiter = { offset: nextOffset, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  async catchUp(): Promise<void> {
    let high: number;
    try {
      const partitions = await this.admin.fetchTopicOffsets(this.topic);
      high = Math.max(0, ...partitions.map((p) => Number(p.high)));
    } catch (error) {
      throw new SchemaStoreError(`Cannot read the end offset of ${this.topic}: ${describe(error)}`, { cause: error });
    }
    await this.waitUntilApplied(high, 'catching up with the schema log');
  }

  private async produce(records: readonly StoreRecord[]): Promise<number> {
    try {
      const [metadata] = await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: records.map((record) => ({ partition: 0, key: encodeKey(record), value: encodeValue(record) })),
      });
      const base = metadata?.baseOffset ?? metadata?.offset;
      if (base === undefined) throw new Error('the broker did not return an offset');
      return Number(base);
    } catch (error) {
      throw new SchemaStoreError(`Cannot write to ${this.topic}: ${describe(error)}`, { cause: error });
    }
  }

  async append(records: readonly StoreRecord[]): Promise<boolean[]> {
    if (records.length === 0) return [];
    const base = await this.produce(records);
    await this.waitUntilApplied(base + records.length, 'reading our own write back');
    const accepted = records.map((_, i) => !this.rejectedOffsets.delete(base + i));
    const losers = records.filter((_, i) => !accepted[i]);
    if (losers.length > 0) {
      // Restate the winners under our keys, so compaction cannot resurrect our refused records.
      const repairs = losers.map((record) => this.state.currentRecordFor(record));
      const repairBase = await this.produce(repairs);
      await this.waitUntilApplied(repairBase + repairs.length, 'repairing a lost write race');
      repairs.forEach((_, i) => this.rejectedOffsets.delete(repairBase + i));
    }
    return accepted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new SchemaStoreError('The schema store was closed'));
    }
    this.waiters = [];
    // Each client is closed even if another fails to, so no socket keeps the process alive.
    await Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect(), this.admin.disconnect()]);
  }
}
