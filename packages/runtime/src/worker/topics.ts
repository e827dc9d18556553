import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { Agent } from '../agent/types';

export function retryTopic(agent: string, tier: number): string {
  return `${agent}.retry.${tier}`;
}

export function dlqTopic(agent: string): string {
  return `${agent}.dlq`;
}

const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Names already found legal: an agent sends to a handful of topics, and this is asked for every output. */
const knownLegal = new Set<string>();
const KNOWN_LEGAL_LIMIT = 10_000;

/** Kafka's rule for topic names; a produce to any other name fails the whole request, not just its record. */
export function isLegalTopicName(topic: string): boolean {
  if (knownLegal.has(topic)) return true;
  if (!LEGAL_TOPIC_NAME.test(topic) || topic === '.' || topic === '..') return false;
  // Bounded: handlers that make up topic names cannot grow it without limit.
  if (knownLegal.size >= KNOWN_LEGAL_LIMIT) knownLegal.clear();
  knownLegal.add(topic);
  return true;
}

/** The retry tier a topic is, for this agent; undefined for source topics. */
export function retryTierOf(agent: string, topic: string): number | undefined {
  const prefix = `${agent}.retry.`;
  if (!topic.startsWith(prefix)) return undefined;
  const tier = Number(topic.slice(prefix.length));
  return Number.isInteger(tier) && tier >= 0 ? tier : undefined;
}

/** Every topic the agent's group consumes: its sources and its own retry tiers. */
export function consumedTopics(agent: Agent): string[] {
  return [...agent.consumes, ...agent.retry.delaysMs.map((_, tier) => retryTopic(agent.name, tier))];
}

/** Kafka's default max.message.bytes, for a topic whose own setting cannot be read. */
const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * What a retry or DLQ copy may add to a source record: the failure envelope, whose headers are bounded
 * (see failure/envelope.ts: a 4,000-character stack, 1,000-character messages, 50 attempts of history).
 */
const FAILURE_ENVELOPE_ROOM_BYTES = 128 * 1024;

/**
 * Creates the agent's retry and DLQ topics (and missing source topics) with
 * the largest partition count among its sources, so a retried key lands on a
 * partition as spread out as the source's, and with room for the largest
 * source record plus its failure envelope: a record the source accepted must
 * never be refused as a retry or a dead letter (the refusal would stop the agent).
 */
export async function ensureAgentTopics(admin: Admin, agent: Agent, defaultPartitions: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missingSources = agent.consumes.filter((t) => !existing.has(t));
  if (missingSources.length > 0) {
    await admin.createTopics({ waitForLeaders: true, topics: missingSources.map((topic) => ({ topic, numPartitions: defaultPartitions })) });
  }
  const meta = await admin.fetchTopicMetadata({ topics: [...agent.consumes] });
  const partitions = Math.max(1, ...meta.topics.map((t) => t.partitions.length));
  const own = [...agent.retry.delaysMs.map((_, tier) => retryTopic(agent.name, tier)), dlqTopic(agent.name)].filter((t) => !existing.has(t));
  if (own.length === 0) return;
  const maxMessageBytes = String((await largestMessageBytes(admin, agent.consumes)) + FAILURE_ENVELOPE_ROOM_BYTES);
  await admin.createTopics({
    waitForLeaders: true,
    topics: own.map((topic) => ({ topic, numPartitions: partitions, configEntries: [{ name: 'max.message.bytes', value: maxMessageBytes }] })),
  });
}

/** The largest max.message.bytes among `topics` (Kafka's default where it cannot be read). */
async function largestMessageBytes(admin: Admin, topics: readonly string[]): Promise<number> {
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
    });
    const limits = resources.flatMap((r) => r.configEntries.filter((c) => c.configName === 'max.message.bytes').map((c) => Number(c.configValue)));
    const valid = limits.filter((n) => Number.isSafeInteger(n) && n > 0);
    return valid.length > 0 ? Math.max(...valid) : KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  } catch {
    return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }
}
