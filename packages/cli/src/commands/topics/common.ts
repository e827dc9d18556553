import type { Admin, Kafka } from 'kafkajs';
import { kafkaClient } from '../../kafka';
import { UsageError } from '../../options';

/** A client for the `mesh topics` and `mesh tail` commands. */
export function topicsKafka(brokers: readonly string[], command: string): Kafka {
  return kafkaClient(brokers, `mesh-${command}`);
}

/** Fails with one line naming the topic when it does not exist. */
export async function requireTopic(admin: Admin, topic: string): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) throw new UsageError(`topic '${topic}' does not exist`);
}
