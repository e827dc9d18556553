import { ErrorCode } from '../protocol/errors';
import type { Storage } from '../storage/storage';
import { BrokerConfigs, staticBrokerConfigs } from './broker-config';
import { newTopicId, Topic } from './topic';
import { validateTopicConfigs } from './topic-config';

export interface ClusterConfig {
  nodeId: number;
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
}

export interface TopicOutcome {
  errorCode: ErrorCode;
  errorMessage: string | null;
}

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function topicNameProblem(name: string): string | null {
  if (!LEGAL_TOPIC_NAME.test(name)) return `topic name '${name}' is illegal: use 1-249 of [a-zA-Z0-9._-]`;
  if (name === '.' || name === '..') return `topic name '${name}' is illegal`;
  return null;
}

/**
 * The one owner of the broker's topic state. Handlers read and change topics
 * only through it, so persistence happens in one place.
 */
export class Cluster {
  readonly topics = new Map<string, Topic>();
  /** Static and dynamic broker configs; topics fall back to them. */
  readonly brokerConfigs: BrokerConfigs;
  private nextProducerId: number;

  constructor(
    readonly config: ClusterConfig,
    readonly storage: Storage,
    readonly clock: () => number,
  ) {
    this.brokerConfigs = new BrokerConfigs(staticBrokerConfigs(config));
    for (const loaded of storage.loadTopics()) {
      // Data dirs from before topic ids get one now, kept from then on.
      const record = loaded.topicId ? loaded : { ...loaded, topicId: newTopicId() };
      if (!loaded.topicId) storage.saveTopic(record);
      this.addTopic(new Topic(record, storage, clock, this.brokerConfigs));
    }
    this.brokerConfigs.onChange(() => {
      for (const topic of this.topics.values()) topic.refreshSettings();
    });
    // Ids start from the wall clock so a restarted broker does not hand out ids a live producer still holds,
    // and above every id the logs remember: a new producer must not inherit an old one's sequence window.
    this.nextProducerId = Math.max(Date.now(), this.highestStoredProducerId() + 1);
  }

  createTopic(name: string, partitions: number, configs: Record<string, string | null>, validateOnly = false): TopicOutcome {
    const nameProblem = topicNameProblem(name);
    if (nameProblem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: nameProblem };
    if (this.topics.has(name)) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: `topic '${name}' already exists` };
    const count = partitions === -1 ? this.config.defaultPartitions : partitions;
    if (!Number.isInteger(count) || count < 1 || count > 10000) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `partition count ${partitions} must be between 1 and 10000` };
    }
    const problem = validateTopicConfigs(configs);
    if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem.message };
    if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
    const cleanConfigs: Record<string, string> = {};
    for (const [k, v] of Object.entries(configs)) if (v !== null) cleanConfigs[k] = v;
    const record = { name, partitions: count, configs: cleanConfigs, createdAtMs: this.clock(), topicId: newTopicId() };
    this.storage.saveTopic(record);
    this.addTopic(new Topic(record, this.storage, this.clock, this.brokerConfigs));
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  /** The topic, created with defaults when auto-creation is on and the name is legal. */
  topicOrAutoCreate(name: string, allowAutoCreate: boolean): Topic | undefined {
    const existing = this.topics.get(name);
    if (existing || !allowAutoCreate || !this.config.autoCreateTopics) return existing;
    const outcome = this.createTopic(name, -1, {});
    return outcome.errorCode === ErrorCode.NONE ? this.topics.get(name) : undefined;
  }

  deleteTopic(name: string): ErrorCode {
    const topic = this.topics.get(name);
    if (!topic) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    this.topics.delete(name);
    this.topicsById.delete(topic.id);
    for (const p of topic.partitions) p.remove();
    this.storage.deleteTopic(name);
    for (const listener of this.topicDeletedListeners) listener(name);
    return ErrorCode.NONE;
  }

  private readonly topicDeletedListeners: Array<(topic: string) => void> = [];

  /** Lets other owners of per-topic state (committed offsets) forget a deleted topic. */
  onTopicDeleted(listener: (topic: string) => void): void {
    this.topicDeletedListeners.push(listener);
  }

  /** Metadata v10+, Fetch v13+ and DeleteTopics v6+ name topics by id. */
  topicById(id: string): Topic | undefined {
    const topic = this.topicsById.get(id);
    // A topic deleted and re-created under its name has a new id; the old one finds nothing.
    return topic && this.topics.get(topic.name) === topic ? topic : undefined;
  }

  private readonly topicsById = new Map<string, Topic>();

  private addTopic(topic: Topic): void {
    this.topics.set(topic.name, topic);
    this.topicsById.set(topic.id, topic);
  }

  /** Replaces a topic's own configs after validating them (AlterConfigs, IncrementalAlterConfigs). */
  setTopicConfigs(name: string, configs: Record<string, string>, validateOnly: boolean): TopicOutcome {
    const topic = this.topics.get(name);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist` };
    const problem = validateTopicConfigs(configs);
    if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: problem.message };
    if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
    topic.setConfigs(configs);
    this.storage.saveTopic(topic.toRecord());
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  /** DeleteRecords on one partition: the new log start, or an error (past the high watermark: OFFSET_OUT_OF_RANGE). */
  deleteRecords(name: string, partition: number, beforeOffset: number): { errorCode: ErrorCode; lowWatermark: number } {
    const p = this.topics.get(name)?.partitions[partition];
    if (!p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 };
    // -1 asks for everything up to the high watermark.
    const target = beforeOffset === -1 ? p.highWatermark : beforeOffset;
    if (target < 0) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
    const before = p.logStartOffset;
    const lowWatermark = p.deleteRecordsBefore(target);
    if (lowWatermark < 0) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 };
    if (lowWatermark !== before) this.storage.saveTopic(this.topics.get(name)!.toRecord());
    return { errorCode: ErrorCode.NONE, lowWatermark };
  }

  createPartitions(name: string, count: number, validateOnly: boolean, assignments: number[][] | null = null): TopicOutcome {
    const topic = this.topics.get(name);
    if (!topic) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${name}' does not exist` };
    if (count <= topic.partitions.length) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `topic '${name}' has ${topic.partitions.length} partitions; the new count ${count} must be larger` };
    }
    if (count > 10000) return { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: `partition count ${count} exceeds 10000` };
    if (assignments !== null) {
      const added = count - topic.partitions.length;
      if (assignments.length !== added) {
        return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Increasing the number of partitions by ${added} but ${assignments.length} assignments provided.` };
      }
      for (const brokers of assignments) {
        const unknown = brokers.filter((b) => b !== this.config.nodeId);
        if (brokers.length === 0 || unknown.length > 0) {
          return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Unknown broker(s) in replica assignment: ${unknown.join(', ') || 'none given'}.` };
        }
        if (brokers.length > 1) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Duplicate brokers not allowed in replica assignment: ${brokers.join(', ')}.` };
      }
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
    topic.addPartitions(count);
    this.storage.saveTopic(topic.toRecord());
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  private highestStoredProducerId(): number {
    let highest = -1;
    for (const topic of this.topics.values()) {
      for (const partition of topic.partitions) for (const id of partition.producerStates.keys()) if (id > highest) highest = id;
    }
    return highest;
  }

  allocateProducerId(): number {
    return this.nextProducerId++;
  }

  close(): void {
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.close();
    this.storage.close();
  }
}
