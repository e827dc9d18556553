import type { Kafka } from 'kafkajs';
import type { PartitionRange } from '../commands/dlq/topics';

/** One record as the reader hands it over. */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  value: Buffer | null;
}

/** The kafkajs internals the reader drives: a cluster (metadata, leaders, broker connections) and a broker's Fetch. */
interface FetchResponsePartition {
  partition: number;
  highWatermark: string;
  messages: Array<{ offset: string; timestamp: string; value: Buffer | null; isControlRecord?: boolean }>;
}
interface InternalBroker {
  offsetFetch(request: {
    groupId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number }> }>;
  }): Promise<{ responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }>;
  fetch(request: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: FetchResponsePartition[] }> }>;
}
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(options: { nodeId: string }): Promise<InternalBroker>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
  findGroupCoordinator(options: { groupId: string }): Promise<InternalBroker>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; fromBeginning: boolean; partitions: Array<{ partition: number }> }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/** A partition's offsets as the cluster reports them. */
export interface PartitionEnds {
  partition: number;
  /** The high watermark: the next offset to be written. */
  high: number;
  /** The log start. */
  low: number;
}

/** kafkajs keeps the factory of its clusters under this symbol (kafkajs 2.x, src/index.js). */
const CREATE_CLUSTER = 'private:Kafka:createCluster';
/** Fetch isolation: read committed, as the mesh's consumers read. */
const READ_COMMITTED = 1;
/** Rounds a partition may come back empty before its range is given up (records gone under retention or compaction). */
const EMPTY_ROUNDS = 3;

export class PartitionReaderError extends Error {
  override readonly name = 'PartitionReaderError';
}

function createCluster(kafka: Kafka): InternalCluster {
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const factory = key === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof factory !== 'function') throw new PartitionReaderError('this kafkajs has no cluster factory to fetch with (kafkajs 2.x expected)');
  return (factory as (options: { allowAutoTopicCreation: boolean }) => InternalCluster)({ allowAutoTopicCreation: false });
}

/**
 * Reads ranges of partitions with plain Fetch requests to their leaders, outside any consumer group: reading a few
 * records costs a round trip, not a group join (the broker's initial rebalance delay, 3 s on Apache Kafka by default)
 * and a leave. Read-only: it commits nothing and nobody sees it as a member.
 */
export class PartitionReader {
  private cluster: InternalCluster | undefined;
  /** Each group's coordinator as last found: asked once, not before every OffsetFetch. */
  private readonly coordinators = new Map<string, InternalBroker>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { maxBytesPerPartition?: number; maxBytes?: number } = {},
  ) {}

  /** Hands over every record of each range [start, end), in offset order per partition; resolves once all are read. */
  async read(ranges: readonly PartitionRange[], onRecord: (record: FetchedRecord) => void | Promise<void>): Promise<void> {
    const pending = ranges.filter((r) => r.end > r.start).map((r) => ({ ...r, next: r.start, empty: 0 }));
    if (pending.length === 0) return;
    const cluster = await this.connected();
    await cluster.addMultipleTargetTopics([...new Set(pending.map((p) => p.topic))]);
    const perPartition = this.options.maxBytesPerPartition ?? 1024 * 1024;
    while (pending.length > 0) {
      // One Fetch per leader, for every partition it leads that still has records to read.
      const byLeader = new Map<string, typeof pending>();
      for (const topic of new Set(pending.map((p) => p.topic))) {
        const ofTopic = pending.filter((p) => p.topic === topic);
        const leaders = cluster.findLeaderForPartitions(
          topic,
          ofTopic.map((p) => p.partition),
        );
        for (const [nodeId, partitions] of Object.entries(leaders)) for (const p of ofTopic) if (partitions.includes(p.partition)) byLeader.set(nodeId, [...(byLeader.get(nodeId) ?? []), p]);
      }
      if (byLeader.size === 0) throw new PartitionReaderError(`no leader known for ${pending.map((p) => `${p.topic}/${p.partition}`).join(', ')}`);
      await Promise.all(
        [...byLeader].map(async ([nodeId, list]) => {
          const broker = await cluster.findBroker({ nodeId });
          const topics = [...new Set(list.map((p) => p.topic))].map((topic) => ({
            topic,
            partitions: list.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, fetchOffset: p.next.toString(), maxBytes: perPartition })),
          }));
          const { responses } = await broker.fetch({ maxWaitTime: 0, minBytes: 1, maxBytes: this.options.maxBytes ?? 16 * 1024 * 1024, isolationLevel: READ_COMMITTED, topics });
          for (const { topicName, partitions } of responses)
            for (const data of partitions) {
              const range = list.find((p) => p.topic === topicName && p.partition === data.partition);
              if (range) await this.take(range, data, onRecord);
            }
        }),
      );
      for (let i = pending.length - 1; i >= 0; i--) if (pending[i]!.next >= pending[i]!.end || pending[i]!.empty >= EMPTY_ROUNDS) pending.splice(i, 1);
    }
  }

  /** Each topic's partitions with their high watermark and log start: one ListOffsets request per leader for all the topics at once, each way. */
  async ends(topics: readonly string[]): Promise<Map<string, PartitionEnds[]>> {
    const out = new Map<string, PartitionEnds[]>();
    if (topics.length === 0) return out;
    const cluster = await this.connected();
    await cluster.addMultipleTargetTopics([...topics]);
    const ask = (fromBeginning: boolean) =>
      cluster.fetchTopicsOffset(topics.map((topic) => ({ topic, fromBeginning, partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })) })));
    const [highs, lows] = await Promise.all([ask(false), ask(true)]);
    const low = new Map(lows.flatMap((t) => t.partitions.map((p) => [`${t.topic}/${p.partition}`, Number(p.offset)] as const)));
    for (const t of highs)
      out.set(
        t.topic,
        t.partitions.map((p) => ({ partition: p.partition, high: Number(p.offset), low: low.get(`${t.topic}/${p.partition}`) ?? 0 })).sort((a, b) => a.partition - b.partition),
      );
    return out;
  }

  /** A group's committed offsets on the topics' partitions (-1 where it committed nothing), by `topic/partition`. */
  async committed(groupId: string, topics: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const cluster = await this.connected();
    await cluster.addMultipleTargetTopics([...topics]);
    const request = { groupId, topics: topics.map((topic) => ({ topic, partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })) })) };
    let coordinator = this.coordinators.get(groupId);
    let answer;
    try {
      coordinator ??= await cluster.findGroupCoordinator({ groupId });
      answer = await coordinator.offsetFetch(request);
    } catch {
      // The coordinator moved (or its connection went): found afresh, asked once more.
      coordinator = await cluster.findGroupCoordinator({ groupId });
      answer = await coordinator.offsetFetch(request);
    }
    this.coordinators.set(groupId, coordinator);
    for (const t of answer.responses) for (const p of t.partitions) out.set(`${t.topic}/${p.partition}`, Number(p.offset));
    return out;
  }

  async close(): Promise<void> {
    this.coordinators.clear();
    const cluster = this.cluster;
    this.cluster = undefined;
    await cluster?.disconnect().catch(() => undefined);
  }

  private async connected(): Promise<InternalCluster> {
    if (this.cluster) return this.cluster;
    const cluster = createCluster(this.kafka);
    await cluster.connect();
    this.cluster = cluster;
    return cluster;
  }

  /** A partition's answer: its records within the range, then where to go on from (past compacted or control records too). */
  private async take(range: PartitionRange & { next: bigint; empty: number }, data: FetchResponsePartition, onRecord: (record: FetchedRecord) => void | Promise<void>): Promise<void> {
    let moved = false;
    for (const m of data.messages) {
      const offset = BigInt(m.offset);
      // A fetch answers from the start of the batch that holds the offset asked for.
      if (offset < range.next || offset >= range.end) continue;
      if (!m.isControlRecord) {
        const taken = onRecord({ topic: range.topic, partition: range.partition, offset: m.offset, timestamp: m.timestamp, value: m.value });
        if (taken) await taken;
      }
      range.next = offset + 1n;
      moved = true;
    }
    if (!moved && BigInt(data.highWatermark) <= range.next) range.next = range.end;
    range.empty = moved ? 0 : range.empty + 1;
  }
}
