import type { Admin } from 'kafkajs';
import type { Agent } from '../agent/types';

export function retryTopic(agent: string, tier: number): string {
  return `${agent}.retry.${tier}`;
}

export function dlqTopic(agent: string): string {
  return `${agent}.dlq`;
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

/**
 * Creates the agent's retry and DLQ topics (and missing source topics) with
 * the largest partition count among its sources, so a retried key lands on a
 * partition as spread out as the source's.
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
  if (own.length > 0) await admin.createTopics({ waitForLeaders: true, topics: own.map((topic) => ({ topic, numPartitions: partitions })) });
}
