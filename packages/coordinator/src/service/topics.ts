import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { describeError } from '../errors';
import { SAGA_EVENTS_TOPIC, SAGA_REPLIES_CONFIG, SAGA_REPLIES_TOPIC, SAGA_SIGNALS_TOPIC, SAGA_STUCK_TOPIC } from '../protocol/topics';
import type { Saga } from '../saga/types';

export interface TopicPartitionCounts {
  /** Partitions of saga.replies: how finely instances share the sagas. */
  replyPartitions: number;
  /** Partitions of the triggers and step topics created here. */
  defaultPartitions: number;
}

/** Every topic the coordinator reads or writes, with the partitions to create it with when missing. */
export function coordinatorTopics(sagas: readonly Saga[], dlqTopic: string, counts: TopicPartitionCounts): Map<string, number> {
  const wanted = new Map<string, number>([
    [SAGA_REPLIES_TOPIC, counts.replyPartitions],
    [SAGA_EVENTS_TOPIC, counts.defaultPartitions],
    [SAGA_STUCK_TOPIC, 1],
    [SAGA_SIGNALS_TOPIC, counts.defaultPartitions],
    [dlqTopic, 1],
  ]);
  for (const saga of sagas) {
    if (!wanted.has(saga.trigger)) wanted.set(saga.trigger, counts.defaultPartitions);
    for (const step of saga.steps) {
      for (const topic of [step.command, step.compensation]) if (topic && !wanted.has(topic)) wanted.set(topic, counts.defaultPartitions);
    }
  }
  return wanted;
}

export interface EnsuredTopics {
  replyPartitions: number;
  /** saga.replies' message.timestamp.type, when the cluster says (a topic made before may keep CreateTime). */
  replyTimestampType: string | undefined;
}

/** Creates the missing topics and returns how saga.replies is set up (it may exist with another count or timestamp type). */
export async function ensureTopics(admin: Admin, wanted: Map<string, number>): Promise<EnsuredTopics> {
  const existing = new Set(await admin.listTopics());
  const missing = [...wanted].filter(([topic]) => !existing.has(topic));
  if (missing.length > 0) {
    // Replies and signals are judged against deadlines by when they reached Kafka: the broker's clock stamps them.
    const stamped = (topic: string) => topic === SAGA_REPLIES_TOPIC || topic === SAGA_SIGNALS_TOPIC;
    const topics = missing.map(([topic, numPartitions]) => ({ topic, numPartitions, ...(stamped(topic) ? { configEntries: [...SAGA_REPLIES_CONFIG] } : {}) }));
    await admin.createTopics({ waitForLeaders: true, topics }).catch((error: unknown) => {
      // Another instance created them first: fine.
      if (!/already exists/i.test(describeError(error))) throw error;
    });
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [SAGA_REPLIES_TOPIC] });
  return { replyPartitions: metadata.topics[0]!.partitions.length, replyTimestampType: await timestampTypeOf(admin, SAGA_REPLIES_TOPIC) };
}

/** A cluster that will not say (no DescribeConfigs rights) leaves it unknown rather than stopping the coordinator. */
async function timestampTypeOf(admin: Admin, topic: string): Promise<string | undefined> {
  try {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['message.timestamp.type'] }] });
    return described.resources[0]?.configEntries.find((e) => e.configName === 'message.timestamp.type')?.configValue;
  } catch {
    return undefined;
  }
}
