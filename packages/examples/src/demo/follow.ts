import { dlqTopic, Header, retryTopic, type EventCodec } from '@agentmesh/runtime';
import type { InvoicePosted } from '@agentmesh/schema-registry';
import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { InvoiceTopics } from '../invoice/documents';
import type { PipelineStage } from '../invoice/pipeline';
import type { OutcomeLedger } from './ledger';

export interface FollowOptions {
  kafka: Kafka;
  codec: EventCodec;
  stages: readonly PipelineStage[];
  ledger: OutcomeLedger;
  /** A group of its own, so the follower reads every topic from the beginning. */
  groupId: string;
}

export interface OutcomeFollower {
  /** Records that could not be read (logged, not fatal: the table reports what was read). */
  readonly readErrors: readonly string[];
  stop(): Promise<void>;
}

type Route = { kind: 'posted' } | { kind: 'intermediate' } | { kind: 'dlq'; agent: string } | { kind: 'retry'; agent: string };

function header(message: EachMessagePayload['message'], name: string): string | undefined {
  const raw = message.headers?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return value === undefined ? undefined : value.toString();
}

/**
 * Reads the pipeline's outcomes into the ledger: postings, every agent's dead
 * letters (their key is the invoice id, kept from the original record) and
 * retry records, and the intermediate topics for redeliveries. The agents'
 * retry and DLQ topics must exist (workers create them before they are ready).
 */
export async function followOutcomes(options: FollowOptions): Promise<OutcomeFollower> {
  const routes = new Map<string, Route>();
  routes.set(InvoiceTopics.posted, { kind: 'posted' });
  for (const stage of options.stages) {
    if (stage.produces !== InvoiceTopics.posted) routes.set(stage.produces, { kind: 'intermediate' });
    routes.set(dlqTopic(stage.agent), { kind: 'dlq', agent: stage.agent });
    for (let tier = 0; tier < stage.retryTiers; tier++) routes.set(retryTopic(stage.agent, tier), { kind: 'retry', agent: stage.agent });
  }
  const readErrors: string[] = [];
  const { ledger, codec } = options;

  const consumer: Consumer = options.kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...routes.keys()], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      partitionsConsumedConcurrently: 8,
      eachMessage: async ({ topic, message }) => {
        const route = routes.get(topic);
        const eventId = header(message, Header.eventId);
        const key = message.key?.toString();
        if (!route || eventId === undefined) return;
        switch (route.kind) {
          case 'intermediate':
            ledger.recordDelivery(topic, eventId);
            return;
          case 'retry':
            ledger.recordRetry({ agent: route.agent, eventId, attempt: Number(header(message, Header.attempt) ?? 0) });
            return;
          case 'dlq':
            if (key !== undefined) ledger.recordDeadLetter({ agent: route.agent, invoiceId: key, eventId, kind: header(message, Header.errorKind) ?? 'unknown' });
            return;
          case 'posted':
            try {
              const posted = (await codec.decode(topic, message.value)) as InvoicePosted;
              ledger.recordPosted({ invoiceId: posted.invoiceId, eventId, degraded: posted.degraded });
            } catch (error) {
              readErrors.push(`${topic} offset ${message.offset}: ${error instanceof Error ? error.message : String(error)}`);
            }
            return;
        }
      },
    });
    // Joining the group is the moment reading starts; a bounded wait so a broken broker does not hang the demo.
    const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the outcome follower did not join its group within 30 s')), 30_000).unref());
    await Promise.race([joined, deadline]);
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return {
    readErrors,
    stop: () => consumer.disconnect(),
  };
}
