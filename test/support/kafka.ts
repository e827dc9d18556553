import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type EachMessagePayload, type KafkaConfig } from 'kafkajs';
import { startBroker, type BrokerOptions, type RunningBroker } from '@agentmesh/broker';

/** An in-process embedded broker on a free port, quiet unless something is wrong. */
export function startTestBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  return startBroker({ port: 0, logLevel: 'error', ...options });
}

export function kafkaFor(broker: { address: string }, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'agentmesh-test',
    brokers: [broker.address],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
    ...config,
  });
}

/** A name no other test (or earlier run on a persistent broker) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Runs `consumer` from the beginning of `topic` until `count` messages arrived,
 * or fails after `timeoutMs` saying how many did.
 */
export async function consumeAll(consumer: Consumer, topic: string, count: number, timeoutMs = 20_000): Promise<CollectedMessage[]> {
  const got: CollectedMessage[] = [];
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${count} messages from ${topic} within ${timeoutMs} ms`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    if (count === 0) return done();
    consumer
      .run({
        eachMessage: async ({ topic: t, partition, message }: EachMessagePayload) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          got.push({ topic: t, partition, offset: message.offset, key: message.key, value: message.value, headers });
          if (got.length === count) done();
        },
      })
      .catch((err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
  });
  return got;
}

/**
 * Polls `probe` until it returns a value other than undefined, for conditions
 * no event announces (a process's output, a group's state). Bounded.
 */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
